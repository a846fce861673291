import { errors } from '@platform/common';
import type { Account } from '../accounts/account-repository.js';
import type { Repositories } from '../data/store.js';
import type { AuthDeps } from '../deps.js';
import type { SessionProof } from '../sessions/session-repository.js';

/** MFA_REQUIRED_ROLES names one of the account's roles: its every session must be proven by a second factor. */
export function requiresSecondFactor(deps: AuthDeps, account: Account): boolean {
  return account.roles.some((role) => deps.mfa.settings.requiredRoles.includes(role));
}

/**
 * A session of such an account that was proven by the password alone (from before the policy, or
 * the role) is good for nothing: its access tokens and its refresh are refused, and the account logs
 * in again, through enrolment when it has no factor yet.
 */
export function assertSessionMeetsPolicy(
  deps: AuthDeps,
  account: Account,
  proof: SessionProof,
): void {
  if (proof.aal < 2 && requiresSecondFactor(deps, account)) {
    throw errors.insufficientAal(
      2,
      "The account's role requires sessions proven with a second factor; log in again (enrolling one if it has none).",
    );
  }
}

/**
 * Whether the account must keep the second factors it has: one of its roles requires MFA and it
 * has at most one left (its authenticator app and each passkey count one; recovery codes are the
 * app's fallback, not a factor of their own). Counted inside the caller's transaction, so two
 * removals cannot both see a factor that the other takes.
 */
export async function mustKeepOneFactor(
  deps: AuthDeps,
  repos: Repositories,
  account: Account,
): Promise<boolean> {
  if (!requiresSecondFactor(deps, account)) return false;
  const totp = (await repos.factors.totpOf(account.id))?.confirmed === true ? 1 : 0;
  return totp + (await repos.passkeys.countByUser(account.id)) <= 1;
}
