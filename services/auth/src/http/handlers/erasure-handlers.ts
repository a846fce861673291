import type { AuthDeps } from '../../deps.js';
import { exportAccount } from '../../erasure/account-export.js';
import { eraseAccountByOperator, eraseOwnAccount } from '../../erasure/erase-account.js';
import type { AuthHandler } from './auth-handler.js';

export function erasureHandlers(deps: AuthDeps) {
  const eraseOwnAccountHandler: AuthHandler<'eraseOwnAccount'> = async ({
    body,
    principal,
    requestId,
    ip,
  }) => {
    await eraseOwnAccount(deps, {
      userId: principal.userId,
      password: body.password,
      altcha: body.altcha,
      request: { ip, requestId },
    });
    return { status: 204, body: undefined };
  };

  const eraseAccountHandler: AuthHandler<'eraseAccount'> = async ({
    params,
    principal,
    requestId,
    ip,
  }) => {
    await eraseAccountByOperator(deps, {
      userId: params.user_id,
      actorId: principal.userId,
      request: { ip, requestId },
    });
    return { status: 204, body: undefined };
  };

  const exportOwnAccount: AuthHandler<'exportOwnAccount'> = async ({
    principal,
    requestId,
    ip,
  }) => ({
    status: 200,
    headers: {
      'Content-Disposition': 'attachment; filename="account-export.json"',
      'Cache-Control': 'no-store',
    },
    body: await exportAccount(deps, principal.userId, { ip, requestId }),
  });

  return {
    eraseOwnAccount: eraseOwnAccountHandler,
    eraseAccount: eraseAccountHandler,
    exportOwnAccount,
  };
}
