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
  lastAdministrator: () =>
    new AppError({
      status: 409,
      code: 'last-administrator',
      title: 'Last administrator',
      detail:
        'This is the last active administrator; grant the admin role to another account first.',
    }),
};
