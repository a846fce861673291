import { errors, isRole, permissionsOf, type Permission } from '@platform/common';
import { assertNotLastAdmin, ADMIN_ROLE } from './accounts.js';
import type { AuthDeps, RequestContext } from '../deps.js';
import { endSessions } from '../sessions/revocation.js';

export interface AccountRoles {
  userId: number;
  roles: string[];
  permissions: Permission[];
}

export interface RoleChange {
  userId: number;
  role: string;
  /** The administrator who makes the change. */
  actorId: number;
  request?: RequestContext | undefined;
}

export async function rolesOfAccount(deps: AuthDeps, userId: number): Promise<AccountRoles> {
  const account = await deps.store.repos.accounts.findById(userId);
  if (!account) throw errors.notFound(`No account has id ${userId}.`);
  return { userId, roles: account.roles, permissions: permissionsOf(account.roles) };
}

/**
 * Grants or takes a role. A change takes effect at once: the account's sessions end (their tokens
 * carry the old roles), the user service hears of it through `Sessions Revoked`, and the change is
 * audited. Granting a role the account holds, or taking one it lacks, changes nothing.
 */
export async function changeRole(
  deps: AuthDeps,
  change: RoleChange & { grant: boolean },
): Promise<AccountRoles> {
  if (!isRole(change.role)) throw errors.notFound(`No role is named "${change.role}".`);
  const ended = await deps.store.transaction(async (repos) => {
    const account = await repos.accounts.findById(change.userId);
    if (!account) throw errors.notFound(`No account has id ${change.userId}.`);
    let changed: boolean;
    if (change.grant) {
      changed = (await repos.accounts.grantRoles(account.id, [change.role])).length > 0;
    } else {
      if (change.role === ADMIN_ROLE && account.isActive && account.roles.includes(ADMIN_ROLE)) {
        await assertNotLastAdmin(repos, account.id);
      }
      changed = await repos.accounts.revokeRole(account.id, change.role);
    }
    if (!changed) return undefined;
    const sessions = await endSessions(repos, {
      userId: account.id,
      reason: 'role_change',
      correlationId: change.request?.requestId,
    });
    await deps.audit.record(
      {
        action: change.grant ? 'role_granted' : 'role_revoked',
        outcome: 'success',
        reason: change.role,
        userId: account.id,
        actorId: change.actorId,
        ...change.request,
        details: { role: change.role, sessions_ended: sessions },
      },
      repos.audit,
    );
    return sessions;
  });
  if (ended !== undefined) {
    deps.eventsWritten();
    deps.metrics.sessionsRevoked('role_change', ended);
  }
  return rolesOfAccount(deps, change.userId);
}
