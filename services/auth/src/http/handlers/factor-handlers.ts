import type { AuthDeps } from '../../deps.js';
import {
  confirmTotpOfSession,
  mfaStatus,
  regenerateRecoveryCodes,
  removeTotpOfSession,
  startTotp,
} from '../../factors/account-factors.js';
import { resetFactors } from '../../factors/factor-reset.js';
import type { AuthHandler } from './auth-handler.js';

/** Secrets and recovery codes are shown once: no cache may keep them. */
const NO_STORE = { 'Cache-Control': 'no-store' };

export function factorHandlers(deps: AuthDeps) {
  const caller = (principal: { userId: number; sid: string }, ip: string, requestId: string) => ({
    userId: principal.userId,
    sessionId: principal.sid,
    request: { ip, requestId },
  });

  const getMfaStatus: AuthHandler<'getMfaStatus'> = async ({ principal }) => {
    const status = await mfaStatus(deps, principal.userId);
    return {
      status: 200,
      body: {
        methods: status.methods,
        totp: status.totp,
        recovery_codes_remaining: status.recoveryCodesRemaining,
        passkeys: status.passkeys,
      },
    };
  };

  const startTotpEnrolment: AuthHandler<'startTotpEnrolment'> = async ({
    body,
    principal,
    ip,
    requestId,
  }) => {
    const enrolment = await startTotp(deps, {
      ...caller(principal, ip, requestId),
      password: body.password,
      altcha: body.altcha,
    });
    return {
      status: 201,
      headers: NO_STORE,
      body: {
        secret: enrolment.secret,
        otpauth_uri: enrolment.otpauthUri,
        qr_svg: enrolment.qrSvg,
      },
    };
  };

  const confirmTotpEnrolment: AuthHandler<'confirmTotpEnrolment'> = async ({
    body,
    principal,
    ip,
    requestId,
  }) => {
    const codes = await confirmTotpOfSession(deps, {
      ...caller(principal, ip, requestId),
      code: body.code,
    });
    return { status: 200, headers: NO_STORE, body: { recovery_codes: codes } };
  };

  const removeTotp: AuthHandler<'removeTotp'> = async ({ body, principal, ip, requestId }) => {
    await removeTotpOfSession(deps, {
      ...caller(principal, ip, requestId),
      password: body.password,
      altcha: body.altcha,
    });
    return { status: 204, body: undefined };
  };

  const regenerateRecoveryCodesHandler: AuthHandler<'regenerateRecoveryCodes'> = async ({
    body,
    principal,
    ip,
    requestId,
  }) => {
    const codes = await regenerateRecoveryCodes(deps, {
      ...caller(principal, ip, requestId),
      password: body.password,
      altcha: body.altcha,
    });
    return { status: 200, headers: NO_STORE, body: { recovery_codes: codes } };
  };

  const resetUserMfa: AuthHandler<'resetUserMfa'> = async ({
    params,
    principal,
    ip,
    requestId,
  }) => ({
    status: 200,
    body: {
      sessions_revoked: await resetFactors(deps, {
        userId: params.user_id,
        actorId: principal.userId,
        request: { ip, requestId },
      }),
    },
  });

  return {
    getMfaStatus,
    resetUserMfa,
    startTotpEnrolment,
    confirmTotpEnrolment,
    removeTotp,
    regenerateRecoveryCodes: regenerateRecoveryCodesHandler,
  };
}
