import { errors } from '@platform/common';
import type { Account } from '../accounts/account-repository.js';
import type { Repositories } from '../data/store.js';
import type { AuthDeps, RequestContext } from '../deps.js';
import { endSessions } from '../sessions/revocation.js';
import { queueMail } from './mailer.js';

/** 422 unless the new password passes the policy (its messages under `new_password`). */
export function checkNewPassword(deps: AuthDeps, account: Account, password: string): void {
  const problems = deps.passwordPolicy.problems(password, account);
  if (problems.length === 0) return;
  throw errors.validation(
    problems.map((message) => ({ field: 'new_password', message })),
    'The password does not meet the password policy.',
  );
}

/** How a password came to change: by a mailed reset link, or by its owner with the current one. */
const HOW = {
  reset: { reason: 'password_reset', notice: 'password_reset_done', action: 'password_reset' },
  change: { reason: 'password_change', notice: 'password_changed', action: 'password_changed' },
} as const;

/**
 * Inside a transaction: the new hash; outstanding reset links stop working; the account's sessions
 * end (all, or all but `keepSession`), with their `Sessions Revoked` events; a notice is mailed and
 * the change audited. Returns how many sessions ended.
 */
export async function applyNewPassword(
  deps: AuthDeps,
  repos: Repositories,
  change: {
    account: Account;
    hashedPassword: string;
    how: keyof typeof HOW;
    keepSession?: string | undefined;
    request: RequestContext;
  },
): Promise<number> {
  const { account, request } = change;
  const how = HOW[change.how];
  await repos.accounts.setPasswordHash(account.id, change.hashedPassword);
  await repos.mailTokens.end(account.id, ['reset'], 'password_changed');
  const sessions = await endSessions(repos, {
    userId: account.id,
    reason: how.reason,
    exceptSessionId: change.keepSession,
    correlationId: request.requestId,
  });
  await queueMail(repos, {
    to: account.email,
    locale: account.locale,
    template: how.notice,
    params: { login: account.login },
    correlationId: request.requestId,
  });
  await deps.audit.record(
    {
      action: how.action,
      outcome: 'success',
      userId: account.id,
      ...request,
      details: { sessions_ended: sessions },
    },
    repos.audit,
  );
  return sessions;
}
