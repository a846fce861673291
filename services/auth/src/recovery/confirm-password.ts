import { errors } from '@platform/common';
import { authErrors } from '../auth-errors.js';
import { untilVerdict } from '../throttle/throttle.js';
import type { Account } from '../accounts/account-repository.js';
import type { AuthDeps, RequestContext } from '../deps.js';
import type { RecoveryFlow } from '../metrics/metrics.js';

/** What asks for the current password: a recovery flow, or an account's erasure. */
export type ConfirmedFlow = RecoveryFlow | 'erasure';

/**
 * Re-authentication before a change of credentials or an erasure: the current password, checked like a login's
 * (the same locks, challenge and counters, so it cannot be guessed here instead), 403 when wrong.
 */
export async function confirmPassword(
  deps: AuthDeps,
  account: Account,
  input: { password: string; altcha?: string | undefined; flow: ConfirmedFlow },
  request: RequestContext,
): Promise<void> {
  const stored = await deps.store.repos.accounts.findByLogin(account.login);
  const attempt = await deps.throttle.admitLogin({
    login: account.login,
    ip: request.ip,
    requestId: request.requestId,
    altcha: input.altcha,
  });
  const verdict = await untilVerdict(attempt, async () =>
    stored ? deps.passwords.verify(stored.hashedPassword, input.password) : { ok: false },
  );
  if (!verdict.ok) {
    if (input.flow === 'erasure') deps.metrics.erasure('wrong_password');
    else deps.metrics.recovery(input.flow, 'wrong_password');
    await attempt.failed('wrong_password', account.id);
    throw authErrors.wrongPassword();
  }
  await untilVerdict(attempt, () => attempt.proven());
}

/** The caller's account, once its current password is confirmed (see confirmPassword). */
export async function reauthenticate(
  deps: AuthDeps,
  userId: number,
  input: { password: string; altcha?: string | undefined; flow: ConfirmedFlow },
  request: RequestContext,
): Promise<Account> {
  const account = await deps.store.repos.accounts.findById(userId);
  if (!account) throw errors.notFound(`No account has id ${userId}.`);
  await confirmPassword(deps, account, input, request);
  return account;
}
