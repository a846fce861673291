/** The languages mails are written in; an account's `locale` is one of them. */
export const MAIL_LOCALES = ['en', 'ru'] as const;
export type MailLocale = (typeof MAIL_LOCALES)[number];

/** Every mail the auth service sends, with what its template needs (never a password). */
export interface MailTemplateParams {
  /** Proves the account's address: a link with a `verify` token. */
  verify_email: { login: string; link: string; expiresInHours: number };
  /** To the new address of an email change: a link with an `email_change` token. */
  email_change: { login: string; newEmail: string; link: string; expiresInHours: number };
  /** To the old address when a change to `newEmail` is asked for (nothing has changed yet). */
  email_change_requested: { login: string; newEmail: string };
  /** To the old address once the new one is proven and the change applied. */
  email_changed: { login: string; newEmail: string };
  /**
   * To the owner of an address that someone else tried to register with, or to move their account
   * to: the one who tried learns nothing, the owner learns of it.
   */
  email_in_use: { attempt: 'registration' | 'email_change' };
  /** A link with a `reset` token. */
  password_reset: { login: string; link: string; expiresInMinutes: number };
  /** Notices after the fact. */
  password_reset_done: { login: string };
  password_changed: { login: string };
  /**
   * A sign-in from a browser and system none of the account's sessions had (NEW_SIGN_IN_NOTICE):
   * what its User-Agent names (null: it names none), its address, and when (ISO 8601, UTC).
   */
  new_sign_in: {
    login: string;
    browser: string | null;
    os: string | null;
    ip: string | null;
    at: string;
  };
  /** An authenticator app now guards the account (with its first set of recovery codes). */
  totp_enrolled: { login: string };
  /** The authenticator app was removed, by the owner or by an administrator (`reset`). */
  totp_removed: { login: string; by: 'owner' | 'administrator' };
  /** A recovery code was used to log in. */
  recovery_code_used: { login: string; remaining: number };
  /** A new set of recovery codes replaced the old one. */
  recovery_codes_regenerated: { login: string };
  /** A passkey was registered to the account, or removed from it; `name` is what the owner calls it. */
  passkey_added: { login: string; name: string };
  passkey_removed: { login: string; name: string };
}
export type MailTemplate = keyof MailTemplateParams;

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

/** A mail ready for the queue: written in the same transaction as the change it tells of. */
export interface QueuedMail {
  template: MailTemplate;
  to: string;
  rendered: RenderedMail;
  correlationId?: string | undefined;
}
