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
  /**
   * The password is proven and the account has a second factor: the login goes on at POST /login/mfa
   * with this single-use token and one of `methods`. Never a session.
   */
  mfaRequired: (mfaToken: string, methods: readonly string[], expiresIn: number) =>
    new AppError({
      status: 401,
      code: 'mfa-required',
      title: 'Second factor required',
      detail:
        'The password is right; prove a second factor: POST /login/mfa with the mfa_token and one of the methods.',
      extensions: { mfa_token: mfaToken, methods: [...methods], expires_in: expiresIn },
    }),
  /**
   * The account's role requires a second factor and it has none: the token is good for enrolling
   * one (POST /mfa/totp and /mfa/totp/confirm with it as the Bearer credential), nothing else.
   */
  mfaEnrolmentRequired: (enrolmentToken: string, expiresIn: number) =>
    new AppError({
      status: 403,
      code: 'mfa-enrolment-required',
      title: 'Second factor enrolment required',
      detail:
        "The account's role requires a second factor: enrol one with the enrolment_token (POST /mfa/totp, then POST /mfa/totp/confirm), then log in.",
      extensions: { enrolment_token: enrolmentToken, expires_in: expiresIn },
    }),
  /** The mfa_token is unknown, used, expired or of another login. */
  invalidMfaToken: () =>
    new AppError({
      status: 401,
      code: 'invalid-mfa-token',
      title: 'Invalid or expired mfa_token',
      detail:
        'The mfa_token is not valid (any more): it may have been used or have expired. Log in again.',
    }),
  /** The second factor's code is wrong, used already, or of another method (401 at a login). */
  invalidMfaCode: (status: 401 | 403) =>
    new AppError({
      status,
      code: 'invalid-mfa-code',
      title: 'Invalid second-factor code',
      detail: 'The code is wrong, or it was used already.',
    }),
  totpAlreadyEnrolled: () =>
    new AppError({
      status: 409,
      code: 'totp-already-enrolled',
      title: 'Authenticator already enrolled',
      detail: 'The account has an authenticator app already; remove it first to enrol another.',
    }),
  noPendingEnrolment: () =>
    new AppError({
      status: 409,
      code: 'no-pending-enrolment',
      title: 'No enrolment to confirm',
      detail: 'Start an enrolment with POST /mfa/totp first (or it is confirmed already).',
    }),
  noSecondFactor: () =>
    new AppError({
      status: 409,
      code: 'no-second-factor',
      title: 'No second factor',
      detail: 'The account has no authenticator app enrolled.',
    }),
  noPasskey: () =>
    new AppError({
      status: 409,
      code: 'no-passkey',
      title: 'No passkey',
      detail: 'The account has no passkey: finish the login with another of its methods.',
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
