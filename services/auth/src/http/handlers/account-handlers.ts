import type { AuthApi, Handler } from '@platform/common';
import { deactivateAccount } from '../../domain/accounts.js';
import type { AuthDeps } from '../../domain/deps.js';
import type { Principal } from '../../domain/principal.js';
import { changeRole, rolesOfAccount, type AccountRoles } from '../../domain/roles.js';
import { logoutEverywhere } from '../../domain/sessions.js';
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

  const grantRole: Handler<Op['grantRole'], Principal> = async ({
    params,
    principal,
    requestId,
    ip,
  }) => {
    const roles = await changeRole(deps, {
      userId: params.user_id,
      role: params.role,
      grant: true,
      actorId: principal!.userId,
      request: { ip, requestId },
    });
    return { status: 200, body: rolesBody(roles) };
  };

  const revokeRole: Handler<Op['revokeRole'], Principal> = async ({
    params,
    principal,
    requestId,
    ip,
  }) => {
    const roles = await changeRole(deps, {
      userId: params.user_id,
      role: params.role,
      grant: false,
      actorId: principal!.userId,
      request: { ip, requestId },
    });
    return { status: 200, body: rolesBody(roles) };
  };

  return {
    deactivateOwnAccount,
    deactivateAccount: deactivateAccountByAdmin,
    logoutAllOfUser,
    listUserRoles,
    grantRole,
    revokeRole,
  };
}
