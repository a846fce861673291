import { registerAccount, type SignedIn } from '../../accounts/registration.js';
import type { AuthDeps } from '../../deps.js';
import type { AuthHandler } from './auth-handler.js';
import { login } from '../../sessions/login.js';
import { completeMfaLogin, mfaPasskeyOptions } from '../../sessions/mfa-login.js';
import { beginEnrolmentLogin, completeEnrolmentLogin } from '../../sessions/enrolment-login.js';
import { logoutEverywhere } from '../../sessions/revocation.js';
import { logout, refreshSession } from '../../sessions/sessions.js';
import { localeOf } from '../../accounts/locale.js';
import { accepted, tokenPairBody, userBody } from './bodies.js';

export const authResponse = (signedIn: SignedIn) => ({
  user: userBody(signedIn.account),
  token_pair: tokenPairBody(signedIn.tokens),
});

export function sessionHandlers(deps: AuthDeps) {
  const register: AuthHandler<'register'> = async ({ body, requestId, ip, header }) => {
    const result = await registerAccount(deps, {
      displayName: body.display_name,
      login: body.login,
      email: body.email,
      password: body.password,
      locale: localeOf(header('accept-language')),
      correlationId: requestId,
      ip,
      userAgent: header('user-agent'),
    });
    if (result.kind === 'accepted') {
      return accepted(
        'Check the mail sent to this address: its link proves the address and lets the account log in.',
      );
    }
    return { status: 201, body: authResponse(result) };
  };

  const loginHandler: AuthHandler<'login'> = async ({ body, requestId, ip, header }) => ({
    status: 200,
    body: authResponse(
      await login(deps, { ...body, requestId, ip, userAgent: header('user-agent') }),
    ),
  });

  const loginMfa: AuthHandler<'loginMfa'> = async ({ body, requestId, ip, header }) => {
    const { mfa_token: mfaToken, ...factor } = body;
    const userAgent = header('user-agent');
    return {
      status: 200,
      body: authResponse(
        await completeMfaLogin(deps, { mfaToken, factor, request: { ip, requestId }, userAgent }),
      ),
    };
  };

  const loginMfaPasskeyOptions: AuthHandler<'loginMfaPasskeyOptions'> = async ({ body }) => {
    const started = await mfaPasskeyOptions(deps, body.mfa_token);
    return {
      status: 200,
      body: { challenge_id: started.challengeId, options: { ...started.options } },
    };
  };

  const startEnrolmentLogin: AuthHandler<'startEnrolmentLogin'> = async ({
    body,
    requestId,
    ip,
  }) => {
    const enrolment = await beginEnrolmentLogin(deps, body.enrolment_token, { ip, requestId });
    return {
      status: 201,
      headers: { 'Cache-Control': 'no-store' },
      body: {
        secret: enrolment.secret,
        otpauth_uri: enrolment.otpauthUri,
        qr_svg: enrolment.qrSvg,
      },
    };
  };

  const confirmEnrolmentLogin: AuthHandler<'confirmEnrolmentLogin'> = async ({
    body,
    requestId,
    ip,
    header,
  }) => {
    const signedIn = await completeEnrolmentLogin(deps, {
      enrolmentToken: body.enrolment_token,
      code: body.code,
      request: { ip, requestId },
      userAgent: header('user-agent'),
    });
    return {
      status: 200,
      headers: { 'Cache-Control': 'no-store' },
      body: { ...authResponse(signedIn), recovery_codes: signedIn.recoveryCodes },
    };
  };

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

  return {
    register,
    login: loginHandler,
    loginMfa,
    loginMfaPasskeyOptions,
    startEnrolmentLogin,
    confirmEnrolmentLogin,
    refresh,
    logout: logoutHandler,
    logoutAll,
  };
}
