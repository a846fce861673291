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
  lastAdministrator: () =>
    new AppError({
      status: 409,
      code: 'last-administrator',
      title: 'Last administrator',
      detail:
        'This is the last active administrator; grant the admin role to another account first.',
    }),
};
