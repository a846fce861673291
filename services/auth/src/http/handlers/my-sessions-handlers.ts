import type { AuthDeps } from '../../deps.js';
import { endMySession, listMySessions } from '../../sessions/my-sessions.js';
import { describeUserAgent } from '../../sessions/user-agent.js';
import type { AuthHandler } from './auth-handler.js';

export function mySessionsHandlers(deps: AuthDeps) {
  const listSessions: AuthHandler<'listSessions'> = async ({ principal }) => {
    const { sessions, total } = await listMySessions(deps, principal);
    return {
      status: 200,
      body: {
        total,
        sessions: sessions.map((s) => ({
          id: s.id,
          created_at: s.createdAt.toISOString(),
          last_refreshed_at: s.refreshedAt?.toISOString() ?? null,
          ip: s.ip,
          user_agent: s.userAgent,
          ...describeUserAgent(s.userAgent),
          current: s.current,
        })),
      },
    };
  };

  const endSession: AuthHandler<'endSession'> = async ({ principal, params, requestId, ip }) => {
    await endMySession(deps, {
      userId: principal.userId,
      sessionId: params.session_id,
      request: { ip, requestId },
    });
    return { status: 204, body: undefined };
  };

  return { listSessions, endSession };
}
