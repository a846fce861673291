import { registerAccount, type SignedIn } from '../../accounts/accounts.js';
import type { AuthDeps } from '../../deps.js';
import type { AuthHandler } from './auth-handler.js';
import { login } from '../../sessions/login.js';
import { logoutEverywhere } from '../../sessions/revocation.js';
import { logout, refreshSession } from '../../sessions/sessions.js';
import type { TokenPair } from '../../sessions/tokens.js';

export const tokenPairBody = (pair: TokenPair) => ({
  access_token: { token: pair.access.token, token_id: pair.access.jti },
  refresh_token: { token: pair.refresh.token, token_id: pair.refresh.jti },
});

export const userBody = (account: SignedIn['account']) => ({
  id: account.id,
  login: account.login,
  email: account.email,
  is_active: account.isActive,
});

const authResponse = (signedIn: SignedIn) => ({
  user: userBody(signedIn.account),
  token_pair: tokenPairBody(signedIn.tokens),
});

export function sessionHandlers(deps: AuthDeps) {
  const register: AuthHandler<'register'> = async ({ body, requestId, ip }) => {
    const signedIn = await registerAccount(deps, {
      displayName: body.display_name,
      login: body.login,
      email: body.email,
      password: body.password,
      correlationId: requestId,
      ip,
    });
    return { status: 201, body: authResponse(signedIn) };
  };

  const loginHandler: AuthHandler<'login'> = async ({ body, requestId, ip }) => ({
    status: 200,
    body: authResponse(await login(deps, { ...body, requestId, ip })),
  });

  const refresh: AuthHandler<'refresh'> = async ({ body, requestId, ip }) => ({
    status: 200,
    body: tokenPairBody(await refreshSession(deps, body.refresh_token, { ip, requestId })),
  });

  const logoutHandler: AuthHandler<'logout'> = async ({ body, principal, requestId, ip }) => {
    await logout(deps, {
      userId: principal.userId,
      access: principal,
      refreshToken: body?.refresh_token,
      request: { ip, requestId },
    });
    return { status: 204, body: undefined };
  };

  const logoutAll: AuthHandler<'logoutAll'> = async ({ principal, requestId, ip }) => ({
    status: 200,
    body: {
      sessions_revoked: await logoutEverywhere(deps, {
        userId: principal.userId,
        request: { ip, requestId },
      }),
    },
  });

  return { register, login: loginHandler, refresh, logout: logoutHandler, logoutAll };
}
