import type { Repositories } from '../data/store.js';
import { sessionsRevoked, type RevocationReason } from '../events/account-events.js';

export interface EndSessions {
  userId: number;
  reason: RevocationReason;
  /** Only these sessions of the account; all of them when absent. */
  sessionIds?: readonly string[] | undefined;
  correlationId?: string | undefined;
}

/**
 * Ends sessions inside the caller's transaction and writes the `Sessions Revoked` events that make
 * the user service reject their tokens too. Returns how many were active. The caller wakes the relay
 * (`deps.eventsWritten()`) after the commit and counts the revocations.
 */
export async function endSessions(repos: Repositories, input: EndSessions): Promise<number> {
  const ended = await repos.tokens.revokeSessions(input.userId, input.reason, input.sessionIds);
  for (const event of sessionsRevoked(input.userId, ended, input.reason, input.correlationId)) {
    await repos.outbox.add(event);
  }
  return ended.length;
}
