import path from 'node:path';
import type { EnvReader, SharedConfig } from '@platform/common';

export interface MailSettings {
  /**
   * `smtp://` (STARTTLS when the server offers it) or `smtps://` (TLS from the start), with
   * credentials in the URL when the server wants them. Absent: mails are written as `.eml` files
   * into `mailDir` (not in production).
   */
  smtpUrl: string | undefined;
  /** A PEM file of the CA that signed the SMTP server's certificate, if not a public one. */
  smtpCaFile: string | undefined;
  /** The From of every mail: `Name <address>` or an address. */
  from: string;
  /** Where mails go without SMTP_URL: `<DATA_DIR>/mail`. */
  mailDir: string;
  /** Whether the auth service delivers the queue itself (false: a separate `courier` does). */
  courierInProcess: boolean;
  /** How often a courier looks for mails queued by other processes. */
  pollMs: number;
  /** Deliveries of a mail that fail for a passing reason before it is given up. */
  maxAttempts: number;
}

/** The mail settings of loadAuthConfig (documented in .env.example). */
export function readMailSettings(env: EnvReader, shared: SharedConfig): MailSettings {
  const smtpUrl = env.has('SMTP_URL')
    ? env.url('SMTP_URL', { protocols: ['smtp:', 'smtps:'] })
    : undefined;
  if (shared.mode === 'production' && !smtpUrl) {
    env.fail('SMTP_URL is required when NODE_ENV=production (smtp:// or smtps://)');
  }
  if (shared.mode === 'production' && !env.has('MAIL_FROM')) {
    env.fail('MAIL_FROM is required when NODE_ENV=production');
  }
  return {
    smtpUrl,
    smtpCaFile: env.optionalString('SMTP_CA_FILE'),
    from: env.string('MAIL_FROM', { default: 'Auth service <no-reply@localhost>' }),
    mailDir: path.join(shared.dataDir, 'mail'),
    courierInProcess: env.bool('COURIER_IN_PROCESS', { default: true }),
    pollMs: env.int('COURIER_POLL_MS', { default: 1000, min: 10, max: 60_000 }),
    maxAttempts: env.int('MAIL_MAX_ATTEMPTS', { default: 8, min: 1, max: 100 }),
  };
}
