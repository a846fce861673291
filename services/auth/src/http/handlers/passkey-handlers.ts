import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import type { AuthDeps } from '../../deps.js';
import { passkeyLoginOptions, loginWithPasskey } from '../../passkeys/passkey-login.js';
import { listPasskeys, removePasskey, renamePasskey } from '../../passkeys/passkey-management.js';
import {
  passkeyRegistrationOptions,
  registerPasskey,
} from '../../passkeys/passkey-registration.js';
import type { AuthHandler } from './auth-handler.js';
import { passkeyBody, tokenPairBody, userBody } from './bodies.js';

/**
 * The contract checks the outline of a WebAuthn response (its base64url fields, their sizes); the
 * ceremony checks the rest, so the JSON types of @simplewebauthn/server stand for the body here.
 */
const registrationResponse = (body: unknown) => body as RegistrationResponseJSON;
const authenticationResponse = (body: unknown) => body as AuthenticationResponseJSON;

export function passkeyHandlers(deps: AuthDeps) {
  const registrationOptions: AuthHandler<'passkeyRegistrationOptions'> = async ({
    body,
    principal,
    requestId,
    ip,
  }) => {
    const started = await passkeyRegistrationOptions(deps, {
      userId: principal.userId,
      password: body.password,
      altcha: body.altcha,
      request: { ip, requestId },
    });
    return {
      status: 200,
      body: { challenge_id: started.challengeId, options: { ...started.options } },
    };
  };

  const register: AuthHandler<'registerPasskey'> = async ({ body, principal, requestId, ip }) => ({
    status: 201,
    body: passkeyBody(
      await registerPasskey(deps, {
        userId: principal.userId,
        sessionId: principal.sid,
        challengeId: body.challenge_id,
        response: registrationResponse(body.response),
        name: body.name,
        request: { ip, requestId },
      }),
    ),
  });

  const list: AuthHandler<'listPasskeys'> = async ({ principal }) => ({
    status: 200,
    body: { passkeys: (await listPasskeys(deps, principal.userId)).map(passkeyBody) },
  });

  const rename: AuthHandler<'renamePasskey'> = async ({
    body,
    params,
    principal,
    requestId,
    ip,
  }) => ({
    status: 200,
    body: passkeyBody(
      await renamePasskey(deps, {
        userId: principal.userId,
        passkeyId: params.passkey_id,
        name: body.name,
        request: { ip, requestId },
      }),
    ),
  });

  const remove: AuthHandler<'deletePasskey'> = async ({
    body,
    params,
    principal,
    requestId,
    ip,
  }) => {
    await removePasskey(deps, {
      userId: principal.userId,
      sessionId: principal.sid,
      passkeyId: params.passkey_id,
      password: body.password,
      altcha: body.altcha,
      request: { ip, requestId },
    });
    return { status: 204, body: undefined };
  };

  const loginOptions: AuthHandler<'passkeyLoginOptions'> = async ({ requestId, ip }) => {
    const started = await passkeyLoginOptions(deps, { ip, requestId });
    return {
      status: 200,
      body: { challenge_id: started.challengeId, options: { ...started.options } },
    };
  };

  const login: AuthHandler<'loginWithPasskey'> = async ({ body, requestId, ip, header }) => {
    const signedIn = await loginWithPasskey(deps, {
      challengeId: body.challenge_id,
      response: authenticationResponse(body.response),
      request: { ip, requestId },
      userAgent: header('user-agent'),
    });
    return {
      status: 200,
      body: { user: userBody(signedIn.account), token_pair: tokenPairBody(signedIn.tokens) },
    };
  };

  return {
    passkeyRegistrationOptions: registrationOptions,
    registerPasskey: register,
    listPasskeys: list,
    renamePasskey: rename,
    deletePasskey: remove,
    passkeyLoginOptions: loginOptions,
    loginWithPasskey: login,
  };
}
