import { errors } from '@platform/common';
import type { AuthDeps, RequestContext } from '../deps.js';
import { endSessions } from './revocation.js';
import type { ListedSession } from './session-repository.js';

/** The most sessions a list shows, newest sign-in first; `total` says how many there are. */
export const SESSIONS_LISTED = 100;

export interface MySessions {
  sessions: (ListedSession & { current: boolean })[];
  total: number;
}

/** The caller's live sessions: not ended, not expired, within their absolute lifetime. */
export async function listMySessions(
  deps: AuthDeps,
  caller: { userId: number; sid: string },
): Promise<MySessions> {
  const now = new Date();
  const { sessions, total } = await deps.store.repos.sessions.listLive(
    caller.userId,
    now,
    deps.tokens.sessionStartCutoff(now),
    SESSIONS_LISTED,
  );
  return { total, sessions: sessions.map((s) => ({ ...s, current: s.id === caller.sid })) };
}

/**
 * Ends one live session of the caller's (the current one too), in both services through
 * `Sessions Revoked`. Any other id, another account's included, gets the same 404 after the same
 * lookup, so the answer never tells whose a session is.
 */
export async function endMySession(
  deps: AuthDeps,
  input: { userId: number; sessionId: string; request?: RequestContext | undefined },
): Promise<void> {
  const { userId, sessionId, request } = input;
  const notFound = () => errors.notFound('You have no live session with this id.');
  const now = new Date();
  await deps.store.transaction(async (repos) => {
    const cutoff = deps.tokens.sessionStartCutoff(now);
    if (!(await repos.sessions.isLive(userId, sessionId, now, cutoff))) throw notFound();
    const count = await endSessions(repos, {
      userId,
      reason: 'logout_session',
      sessionIds: [sessionId],
      correlationId: request?.requestId,
    });
    // Ended by a concurrent request since the lookup: nothing of it is left to end.
    if (count === 0) throw notFound();
    await deps.audit.record(
      {
        action: 'sessions_revoked',
        outcome: 'success',
        reason: 'logout_session',
        userId,
        ...request,
        details: { session_id: sessionId, sessions_ended: count },
      },
      repos.audit,
    );
  });
  deps.eventsWritten();
  deps.metrics.sessionsRevoked('logout_session', 1);
}
