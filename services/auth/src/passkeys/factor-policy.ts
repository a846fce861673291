import { isRole, ROLES, type EnvReader } from '@platform/common';
import type { Account } from '../accounts/account-repository.js';
import type { Repositories } from '../data/store.js';
import type { AuthDeps } from '../deps.js';

/** MFA_REQUIRED_ROLES: the roles whose accounts must keep a second factor (none by default). */
export function readMfaRequiredRoles(env: EnvReader): string[] {
  const roles = (env.optionalString('MFA_REQUIRED_ROLES') ?? '')
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r !== '');
  for (const role of roles.filter((r) => !isRole(r))) {
    env.fail(`MFA_REQUIRED_ROLES: "${role}" is not a role (${ROLES.join(', ')})`);
  }
  return roles;
}

/**
 * Whether the account must keep the second factors it has: one of its roles requires MFA and it
 * has at most one left. Counted inside the caller's transaction, so two removals cannot both see
 * a second factor that the other takes. Passkeys are the only factor counted here; every other
 * kind of second factor belongs in this count too.
 */
export async function mustKeepOneFactor(
  deps: AuthDeps,
  repos: Repositories,
  account: Account,
): Promise<boolean> {
  if (!account.roles.some((role) => deps.mfaRequiredRoles.includes(role))) return false;
  return (await repos.passkeys.countByUser(account.id)) <= 1;
}
