import { AppError } from '@platform/common';

/** The errors only the auth service raises; those both services raise are common's `errors`. */
export const authErrors = {
  badCredentials: () =>
    new AppError({
      status: 401,
      code: 'invalid-credentials',
      title: 'Invalid credentials',
      detail: 'The login or the password is wrong.',
    }),
  /** The request needs a solved proof-of-work challenge first (RFC 6585 428). */
  challengeRequired: (detail: string) =>
    new AppError({ status: 428, code: 'challenge-required', title: 'Challenge required', detail }),
  /** EMAIL_VERIFICATION=required and the account's address is not proven yet. */
  emailNotVerified: () =>
    new AppError({
      status: 403,
      code: 'email-not-verified',
      title: 'Email not verified',
      detail:
        "Prove the account's address with the link mailed to it first; a new link has been mailed (a few an hour at most).",
    }),
  /** The token of a mailed link is unknown, used, expired, superseded or for another purpose. */
  invalidMailToken: () =>
    new AppError({
      status: 400,
      code: 'invalid-mail-token',
      title: 'Invalid or expired link',
      detail:
        'This link is not valid (any more): it may have been used, replaced by a newer one, or have expired. Ask for a new one.',
    }),
  /** The current password given to confirm a change is wrong (counted as a failed login). */
  wrongPassword: () =>
    new AppError({
      status: 403,
      code: 'wrong-password',
      title: 'Wrong password',
      detail: 'The current password is wrong.',
    }),
  /** A passkey's attestation or assertion was refused; a login gets one answer for every reason. */
  passkeyRejected: (status: 400 | 401, detail: string) =>
    new AppError({ status, code: 'passkey-rejected', title: 'Passkey rejected', detail }),
  passkeyExists: () =>
    new AppError({
      status: 409,
      code: 'passkey-exists',
      title: 'Passkey already registered',
      detail: 'This authenticator already holds a passkey registered here.',
    }),
  /** MFA_REQUIRED_ROLES: the account's last second factor stays. */
  lastFactor: () =>
    new AppError({
      status: 409,
      code: 'last-factor',
      title: 'Last second factor',
      detail:
        "The account's role requires a second factor and this is its last one; add another first.",
    }),
  lastAdministrator: () =>
    new AppError({
      status: 409,
      code: 'last-administrator',
      title: 'Last administrator',
      detail:
        'This is the last active administrator; grant the admin role to another account first.',
    }),
};
