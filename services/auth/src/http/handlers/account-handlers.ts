import { deactivateAccount, setAccountLocale } from '../../accounts/accounts.js';
import type { AuthDeps } from '../../deps.js';
import type { AuthHandler } from './auth-handler.js';
import { changeRole, rolesOfAccount, type AccountRoles } from '../../accounts/roles.js';
import { logoutEverywhere } from '../../sessions/revocation.js';
import { accepted, userBody } from './bodies.js';
import { markEmailVerified } from '../../recovery/email-verification.js';
import { sendPasswordReset } from '../../recovery/password-reset.js';

const rolesBody = (roles: AccountRoles) => ({
  user_id: roles.userId,
  roles: roles.roles,
  permissions: roles.permissions,
});

export function accountHandlers(deps: AuthDeps) {
  const deactivateOwnAccount: AuthHandler<'deactivateOwnAccount'> = async ({
    principal,
    requestId,
    ip,
  }) => {
    const account = await deactivateAccount(deps, {
      userId: principal.userId,
      currentToken: principal,
      request: { ip, requestId },
    });
    return { status: 200, body: userBody(account) };
  };

  const deactivateAccountByAdmin: AuthHandler<'deactivateAccount'> = async ({
    params,
    principal,
    requestId,
    ip,
  }) => {
    const account = await deactivateAccount(deps, {
      userId: params.user_id,
      actorId: principal.userId,
      request: { ip, requestId },
    });
    return { status: 200, body: userBody(account) };
  };

  const logoutAllOfUser: AuthHandler<'logoutAllOfUser'> = async ({
    params,
    principal,
    requestId,
    ip,
  }) => {
    const ended = await logoutEverywhere(deps, {
      userId: params.user_id,
      actorId: principal.userId,
      request: { ip, requestId },
    });
    return { status: 200, body: { sessions_revoked: ended } };
  };

  const listUserRoles: AuthHandler<'listUserRoles'> = async ({ params }) => ({
    status: 200,
    body: rolesBody(await rolesOfAccount(deps, params.user_id)),
  });

  /** Grant and revoke differ only in the direction of the change. */
  const roleChange =
    (grant: boolean) =>
    async ({ params, principal, requestId, ip }: Parameters<AuthHandler<'grantRole'>>[0]) => {
      const roles = await changeRole(deps, {
        userId: params.user_id,
        role: params.role,
        grant,
        actorId: principal.userId,
        request: { ip, requestId },
      });
      return { status: 200 as const, body: rolesBody(roles) };
    };
  const grantRole: AuthHandler<'grantRole'> = roleChange(true);
  const revokeRole: AuthHandler<'revokeRole'> = roleChange(false);

  const setLocale: AuthHandler<'setLocale'> = async ({ body, principal }) => ({
    status: 200,
    body: userBody(await setAccountLocale(deps, principal.userId, body.locale)),
  });

  const sendPasswordResetHandler: AuthHandler<'sendPasswordReset'> = async ({
    params,
    principal,
    requestId,
    ip,
  }) => {
    await sendPasswordReset(deps, {
      userId: params.user_id,
      actorId: principal.userId,
      request: { ip, requestId },
    });
    return accepted("A link to set a new password is on its way to the account's address.");
  };

  const markEmailVerifiedHandler: AuthHandler<'markEmailVerified'> = async ({
    params,
    principal,
    requestId,
    ip,
  }) => ({
    status: 200,
    body: userBody(
      await markEmailVerified(deps, {
        userId: params.user_id,
        actorId: principal.userId,
        request: { ip, requestId },
      }),
    ),
  });

  return {
    setLocale,
    sendPasswordReset: sendPasswordResetHandler,
    markEmailVerified: markEmailVerifiedHandler,
    deactivateOwnAccount,
    deactivateAccount: deactivateAccountByAdmin,
    logoutAllOfUser,
    listUserRoles,
    grantRole,
    revokeRole,
  };
}
