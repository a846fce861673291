import { errors } from '@platform/common';
import type { Repositories } from '../data/store.js';
import { sessionsRevoked, type RevocationReason } from './session-events.js';
import type { AuthDeps, RequestContext } from '../deps.js';

export interface EndSessions {
  userId: number;
  reason: RevocationReason;
  /** Only these sessions of the account; all of them when absent. */
  sessionIds?: readonly string[] | undefined;
  /** The one session that stays (the caller's own, after changing the password). */
  exceptSessionId?: string | undefined;
  correlationId?: string | undefined;
}

/**
 * Ends sessions inside the caller's transaction and writes the `Sessions Revoked` events that make
 * the user service reject their tokens too. Returns how many were active. The caller wakes the relay
 * (`deps.eventsWritten()`) after the commit and counts the revocations.
 */
export async function endSessions(repos: Repositories, input: EndSessions): Promise<number> {
  const ended = await repos.sessions.revokeSessions(
    input.userId,
    input.reason,
    input.sessionIds,
    input.exceptSessionId,
  );
  for (const event of sessionsRevoked(input.userId, ended, input.reason, input.correlationId)) {
    await repos.outbox.add(event);
  }
  return ended.length;
}

/**
 * Ends every session of an account ("log out everywhere"): by the account itself, or by an
 * administrator or support (`actorId`). Returns how many were active.
 */
export async function logoutEverywhere(
  deps: AuthDeps,
  input: { userId: number; actorId?: number | undefined; request?: RequestContext | undefined },
): Promise<number> {
  const reason: RevocationReason = input.actorId === undefined ? 'logout_all' : 'admin_logout_all';
  const ended = await deps.store.transaction(async (repos) => {
    if (!(await repos.accounts.findById(input.userId))) {
      throw errors.notFound(`No account has id ${input.userId}.`);
    }
    const count = await endSessions(repos, {
      userId: input.userId,
      reason,
      correlationId: input.request?.requestId,
    });
    await deps.audit.record(
      {
        action: 'sessions_revoked',
        outcome: 'success',
        reason,
        userId: input.userId,
        actorId: input.actorId,
        ...input.request,
        details: { sessions_ended: count },
      },
      repos.audit,
    );
    return count;
  });
  if (ended > 0) deps.eventsWritten();
  deps.metrics.sessionsRevoked(reason, ended);
  return ended;
}
