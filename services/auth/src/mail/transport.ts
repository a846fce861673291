/** One mail as a transport sends it. */
export interface OutgoingMail {
  /** The queue id, for log lines and file names. */
  id: number;
  template: string;
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Stable across attempts (see messageIdFor), so a repeated delivery is recognisable. */
  messageId: string;
}

/**
 * How mails leave the service: SMTP (smtp-transport.ts) or `.eml` files (file-transport.ts). A
 * failed `send` throws PermanentMailError when the mail itself was refused for good, and anything
 * else when a later attempt may succeed (TransientMailError says which, and whether the server
 * could be reached at all). Every error message is safe to store and log: it never holds the mail.
 */
export interface MailTransport {
  send(mail: OutgoingMail): Promise<void>;
  close(): Promise<void>;
}

/** The longest a `send` takes before it fails (SMTP: the whole exchange, connection included). */
export const MAX_SEND_MS = 30_000;

/** The server refused this mail for good (a 5xx reply to its recipient or its content). */
export class PermanentMailError extends Error {
  override readonly name = 'PermanentMailError';
}

/**
 * This attempt failed, a later one may succeed. `serverDown`: the server could not be reached or
 * refused the courier itself (connection, TLS, login, a 421), which every waiting mail would meet
 * too; otherwise the reply concerned this mail alone (a 4xx to its recipient, say).
 */
export class TransientMailError extends Error {
  override readonly name = 'TransientMailError';

  constructor(
    message: string,
    readonly serverDown: boolean,
  ) {
    super(message);
  }
}

/** The message fields of a mail, as nodemailer takes them. */
export function messageOf(mail: OutgoingMail) {
  const { from, to, subject, text, html, messageId } = mail;
  return { from, to, subject, text, html, messageId };
}
