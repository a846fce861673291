import type { MailCatalogue } from './catalogue.js';

const plural = new Intl.PluralRules('en');
const count = (n: number, one: string, other: string) =>
  `${n} ${plural.select(n) === 'one' ? one : other}`;
const minutes = (n: number) =>
  n % 60 === 0 ? count(n / 60, 'hour', 'hours') : count(n, 'minute', 'minutes');
const hours = (n: number) => count(n, 'hour', 'hours');

const IGNORE = 'If you did not ask for this, ignore this mail: nothing will change.';

export const en: MailCatalogue = {
  locale: 'en',
  copyHint: 'If the link does not open, copy this address into your browser:',
  footer: 'This mail was sent automatically. Please do not reply to it.',
  templates: {
    verify_email: ({ login, link, expiresInHours }) => ({
      subject: 'Confirm your email address',
      body: [
        `Hello, ${login}.`,
        'To confirm that this email address is yours, open this link:',
        { link, label: 'Confirm my address' },
        `The link can be used once and works for ${hours(expiresInHours)}.`,
        IGNORE,
      ],
    }),
    email_change: ({ login, newEmail, link, expiresInHours }) => ({
      subject: 'Confirm your new email address',
      body: [
        `Hello, ${login}.`,
        `You asked to change the email address of your account to ${newEmail}. To confirm it, open this link:`,
        { link, label: 'Confirm the new address' },
        `The link can be used once and works for ${hours(expiresInHours)}. Until then your account keeps its old address.`,
        IGNORE,
      ],
    }),
    email_change_requested: ({ login, newEmail }) => ({
      subject: 'A change of your email address was requested',
      body: [
        `Hello, ${login}.`,
        `Someone asked to change the email address of your account to ${newEmail}. Nothing has changed yet: the change happens only once the new address is confirmed.`,
        'If this was you, there is nothing to do. If it was not you, change your password right away.',
      ],
    }),
    email_changed: ({ login, newEmail }) => ({
      subject: 'Your email address was changed',
      body: [
        `Hello, ${login}.`,
        `The email address of your account is now ${newEmail}. Mails about your account will go there from now on.`,
        'If this was not you, contact the administrator of the service right away.',
      ],
    }),
    email_in_use: ({ attempt }) => ({
      subject: 'Someone tried to use your email address',
      body:
        attempt === 'registration'
          ? [
              'Someone tried to create a new account with this email address. It already belongs to your account, so no account was created and nothing has changed.',
              'If this was you, log in to your account instead, or reset your password if you have forgotten it. Otherwise, ignore this mail.',
            ]
          : [
              'Someone tried to change the email address of another account to this one. It already belongs to your account, so nothing has changed.',
              'If this was not you, ignore this mail.',
            ],
    }),
    password_reset: ({ login, link, expiresInMinutes }) => ({
      subject: 'Reset your password',
      body: [
        `Hello, ${login}.`,
        'To choose a new password, open this link:',
        { link, label: 'Choose a new password' },
        `The link can be used once and works for ${minutes(expiresInMinutes)}.`,
        'If you did not ask for this, ignore this mail: your password stays as it is.',
      ],
    }),
    password_reset_done: ({ login }) => ({
      subject: 'Your password was reset',
      body: [
        `Hello, ${login}.`,
        'The password of your account was just reset with a link sent to this address.',
        'If this was not you, reset your password again right away.',
      ],
    }),
    password_changed: ({ login }) => ({
      subject: 'Your password was changed',
      body: [
        `Hello, ${login}.`,
        'The password of your account was just changed.',
        'If this was not you, reset your password right away.',
      ],
    }),
    new_sign_in: ({ login, browser, os, ip, at }) => ({
      subject: 'New sign-in to your account',
      body: [
        `Hello, ${login}.`,
        `Your account was just signed in to from a device it was not used on recently: ${browser ?? 'an unknown browser'} on ${os ?? 'an unknown system'}, from the address ${ip ?? 'unknown'}, at ${at.replace('T', ' ').slice(0, 16)} UTC.`,
        'If this was you, there is nothing to do. If it was not you, change your password right away and end that session in the list of your sessions.',
      ],
    }),
    totp_enrolled: ({ login }) => ({
      subject: 'An authenticator app now protects your account',
      body: [
        `Hello, ${login}.`,
        'An authenticator app was just set up as the second factor of your account: logging in now also needs one of its codes, or a recovery code. Your other sessions were ended.',
        'If this was not you, reset your password right away and contact the administrator of the service.',
      ],
    }),
    totp_removed: ({ login, by }) => ({
      subject: 'The second factor of your account was removed',
      body: [
        `Hello, ${login}.`,
        by === 'administrator'
          ? 'An administrator removed the second factors of your account, and its recovery codes. Every session of your account was ended; log in with your password and set up a second factor again.'
          : 'The authenticator app of your account was removed, and its recovery codes with it: logging in needs your password only. Your other sessions were ended.',
        'If you did not ask for this, reset your password right away and contact the administrator of the service.',
      ],
    }),
    recovery_code_used: ({ login, remaining }) => ({
      subject: 'A recovery code was used to log in',
      body: [
        `Hello, ${login}.`,
        `A recovery code was just used to log in to your account; ${count(remaining, 'code is', 'codes are')} left. Each code works once.`,
        'If this was not you, reset your password right away and make new recovery codes.',
      ],
    }),
    recovery_codes_regenerated: ({ login }) => ({
      subject: 'New recovery codes for your account',
      body: [
        `Hello, ${login}.`,
        'A new set of recovery codes was made for your account; the old codes no longer work.',
        'If this was not you, reset your password right away and contact the administrator of the service.',
      ],
    }),
    passkey_added: ({ login, name }) => ({
      subject: 'A passkey was added to your account',
      body: [
        `Hello, ${login}.`,
        `A passkey named "${name}" was just added to your account. It can now be used to log in. Your other sessions have been ended.`,
        'If this was not you, change your password and remove the passkey right away.',
      ],
    }),
    passkey_removed: ({ login, name }) => ({
      subject: 'A passkey was removed from your account',
      body: [
        `Hello, ${login}.`,
        `The passkey named "${name}" was just removed from your account and can no longer be used to log in. Your other sessions have been ended.`,
        'If this was not you, change your password right away.',
      ],
    }),
  },
};
