import { errors } from '@platform/common';
import type { AuthDeps, RequestContext } from '../deps.js';

/**
 * DELETE /users/{user_id}/lockout: forgets the failed logins counted against the account's login,
 * from everywhere and from each address; the counters of the addresses themselves, which other
 * accounts share, stay. Audited with the lock as it stood.
 */
export async function liftLockout(
  deps: AuthDeps,
  input: { userId: number; actorId: number; request?: RequestContext | undefined },
): Promise<void> {
  const account = await deps.store.repos.accounts.findById(input.userId);
  if (!account) throw errors.notFound(`No account has id ${input.userId}.`);
  const before = await deps.throttle.loginLock(account.login);
  await deps.throttle.forgetLogin(account.login);
  await deps.audit.record({
    action: 'lockout_lifted',
    outcome: 'success',
    reason: 'admin',
    userId: account.id,
    actorId: input.actorId,
    ...input.request,
    details: { failures: before.failures, was_locked: before.lockedFor > 0 },
  });
}
