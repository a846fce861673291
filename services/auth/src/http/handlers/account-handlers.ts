import type { AuthApi, Handler, HandlerRequest } from '@platform/common';
import { deactivateAccount } from '../../accounts/accounts.js';
import type { AuthDeps } from '../../deps.js';
import type { Principal } from '../../sessions/principal.js';
import { changeRole, rolesOfAccount, type AccountRoles } from '../../accounts/roles.js';
import { logoutEverywhere } from '../../sessions/revocation.js';
import { userBody } from './session-handlers.js';

type Op = AuthApi.operations;

const rolesBody = (roles: AccountRoles) => ({
  user_id: roles.userId,
  roles: roles.roles,
  permissions: roles.permissions,
});

export function accountHandlers(deps: AuthDeps) {
  const deactivateOwnAccount: Handler<Op['deactivateOwnAccount'], Principal> = async ({
    principal,
    requestId,
    ip,
  }) => {
    const account = await deactivateAccount(deps, {
      userId: principal!.userId,
      currentToken: principal!,
      request: { ip, requestId },
    });
    return { status: 200, body: userBody(account) };
  };

  const deactivateAccountByAdmin: Handler<Op['deactivateAccount'], Principal> = async ({
    params,
    principal,
    requestId,
    ip,
  }) => {
    const account = await deactivateAccount(deps, {
      userId: params.user_id,
      actorId: principal!.userId,
      request: { ip, requestId },
    });
    return { status: 200, body: userBody(account) };
  };

  const logoutAllOfUser: Handler<Op['logoutAllOfUser'], Principal> = async ({
    params,
    principal,
    requestId,
    ip,
  }) => {
    const ended = await logoutEverywhere(deps, {
      userId: params.user_id,
      actorId: principal!.userId,
      request: { ip, requestId },
    });
    return { status: 200, body: { sessions_revoked: ended } };
  };

  const listUserRoles: Handler<Op['listUserRoles'], Principal> = async ({ params }) => ({
    status: 200,
    body: rolesBody(await rolesOfAccount(deps, params.user_id)),
  });

  /** Grant and revoke differ only in the direction of the change. */
  const roleChange =
    (grant: boolean) =>
    async ({ params, principal, requestId, ip }: HandlerRequest<Op['grantRole'], Principal>) => {
      const roles = await changeRole(deps, {
        userId: params.user_id,
        role: params.role,
        grant,
        actorId: principal!.userId,
        request: { ip, requestId },
      });
      return { status: 200 as const, body: rolesBody(roles) };
    };
  const grantRole: Handler<Op['grantRole'], Principal> = roleChange(true);
  const revokeRole: Handler<Op['revokeRole'], Principal> = roleChange(false);

  return {
    deactivateOwnAccount,
    deactivateAccount: deactivateAccountByAdmin,
    logoutAllOfUser,
    listUserRoles,
    grantRole,
    revokeRole,
  };
}
