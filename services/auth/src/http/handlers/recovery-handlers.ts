import type { AuthDeps } from '../../deps.js';
import { requestEmailChange } from '../../recovery/email-change.js';
import { resendVerification, verifyEmail } from '../../recovery/email-verification.js';
import { changePassword } from '../../recovery/password-change.js';
import { requestPasswordReset, resetPassword } from '../../recovery/password-reset.js';
import type { AuthHandler } from './auth-handler.js';
import { accepted } from './bodies.js';

/** The same words whatever the address: the answer must not tell whether it is registered. */
const FORGOT_ACCEPTED =
  'If an active account has this address, a link to set a new password is on its way to it.';

export function recoveryHandlers(deps: AuthDeps) {
  const forgotPassword: AuthHandler<'forgotPassword'> = async ({ body, requestId, ip }) => {
    await requestPasswordReset(deps, body.email, { ip, requestId });
    return accepted(FORGOT_ACCEPTED);
  };

  const resetPasswordHandler: AuthHandler<'resetPassword'> = async ({ body, requestId, ip }) => {
    await resetPassword(deps, {
      token: body.token,
      newPassword: body.new_password,
      request: { ip, requestId },
    });
    return { status: 204, body: undefined };
  };

  const changePasswordHandler: AuthHandler<'changePassword'> = async ({
    body,
    principal,
    requestId,
    ip,
  }) => {
    await changePassword(deps, {
      userId: principal.userId,
      sessionId: principal.sid,
      currentPassword: body.current_password,
      newPassword: body.new_password,
      altcha: body.altcha,
      request: { ip, requestId },
    });
    return { status: 204, body: undefined };
  };

  const sendEmailVerification: AuthHandler<'sendEmailVerification'> = async ({
    principal,
    requestId,
    ip,
  }) => {
    await resendVerification(deps, principal.userId, { ip, requestId });
    return accepted('Unless the address is proven already, a link to prove it is on its way.');
  };

  const verifyEmailHandler: AuthHandler<'verifyEmail'> = async ({ body, requestId, ip }) => {
    await verifyEmail(deps, body.token, { ip, requestId });
    return { status: 204, body: undefined };
  };

  const changeEmail: AuthHandler<'changeEmail'> = async ({ body, principal, requestId, ip }) => {
    await requestEmailChange(deps, {
      userId: principal.userId,
      newEmail: body.new_email,
      currentPassword: body.current_password,
      altcha: body.altcha,
      request: { ip, requestId },
    });
    return accepted(
      'A link to confirm the change is on its way to the new address; nothing changes until it is used.',
    );
  };

  return {
    forgotPassword,
    resetPassword: resetPasswordHandler,
    changePassword: changePasswordHandler,
    sendEmailVerification,
    verifyEmail: verifyEmailHandler,
    changeEmail,
  };
}
