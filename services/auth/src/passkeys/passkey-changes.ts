import type { Account } from '../accounts/account-repository.js';
import type { Repositories } from '../data/store.js';
import type { AuthDeps, RequestContext } from '../deps.js';
import { queueMail } from '../recovery/mailer.js';
import { endSessions } from '../sessions/revocation.js';

const CHANGES = {
  added: { notice: 'passkey_added', action: 'passkey_registered' },
  removed: { notice: 'passkey_removed', action: 'passkey_removed' },
} as const;

/**
 * Inside the transaction of a passkey added or removed: the account's other sessions end (with
 * their `Sessions Revoked` events), a notice is queued for its address and the change audited.
 * Returns how many sessions ended; the caller wakes the relay and the courier after the commit.
 */
export async function recordPasskeyChange(
  deps: AuthDeps,
  repos: Repositories,
  change: {
    account: Account;
    kind: keyof typeof CHANGES;
    passkey: { id: number; name: string };
    keepSession: string;
    request: RequestContext;
  },
): Promise<number> {
  const { account, request } = change;
  const how = CHANGES[change.kind];
  const sessions = await endSessions(repos, {
    userId: account.id,
    reason: 'passkey_change',
    exceptSessionId: change.keepSession,
    correlationId: request.requestId,
  });
  await queueMail(repos, {
    to: account.email,
    locale: account.locale,
    template: how.notice,
    params: { login: account.login, name: change.passkey.name },
    correlationId: request.requestId,
  });
  await deps.audit.record(
    {
      action: how.action,
      outcome: 'success',
      userId: account.id,
      ...request,
      details: { passkey_id: change.passkey.id, sessions_ended: sessions },
    },
    repos.audit,
  );
  return sessions;
}

/** After the commit of recordPasskeyChange: the events and the mail go out, and it is counted. */
export function passkeyChangeCommitted(
  deps: AuthDeps,
  kind: keyof typeof CHANGES,
  sessionsEnded: number,
): void {
  if (sessionsEnded > 0) deps.eventsWritten();
  deps.mailsWritten();
  deps.metrics.sessionsRevoked('passkey_change', sessionsEnded);
  deps.metrics.passkeyChange(kind);
}
