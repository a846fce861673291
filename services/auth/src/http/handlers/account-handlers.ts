import type { AuthApi, Handler } from '@platform/common';
import { deactivateAccount } from '../../domain/accounts.js';
import type { AuthDeps } from '../../domain/deps.js';
import type { Principal } from '../../domain/principal.js';
import { userBody } from './session-handlers.js';

type Op = AuthApi.operations;

export function accountHandlers(deps: AuthDeps) {
  const deactivateOwnAccount: Handler<Op['deactivateOwnAccount'], Principal> = async ({
    principal,
    requestId,
  }) => {
    const account = await deactivateAccount(deps, {
      userId: principal!.userId,
      currentToken: principal!,
      correlationId: requestId,
    });
    return { status: 200, body: userBody(account) };
  };

  const deactivateAccountByAdmin: Handler<Op['deactivateAccount'], Principal> = async ({
    params,
    requestId,
  }) => {
    const account = await deactivateAccount(deps, {
      userId: params.user_id,
      correlationId: requestId,
    });
    return { status: 200, body: userBody(account) };
  };

  return { deactivateOwnAccount, deactivateAccount: deactivateAccountByAdmin };
}
