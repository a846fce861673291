import { startSmtpServer, type ReceivedMail } from './smtp.js';
import type { Stack } from './stack.js';

/**
 * The mail a test stack's auth service sends, as a real SMTP server receives it (STARTTLS and AUTH,
 * through the service's courier). `env` points a stack at it.
 */
export interface Mailbox {
  readonly env: Record<string, string>;
  /** The next mail to `to` that this mailbox has not handed out yet (waits up to `timeoutMs`). */
  next(to: string, timeoutMs?: number): Promise<ReceivedMail>;
  /** Every mail received for `to` so far. */
  receivedBy(to: string): ReceivedMail[];
  close(): Promise<void>;
}

export async function openMailbox(): Promise<Mailbox> {
  const smtp = await startSmtpServer();
  const handedOut = new Set<ReceivedMail>();
  const addressedTo = (mail: ReceivedMail, to: string) =>
    mail.to.some((address) => address.toLowerCase() === to.toLowerCase());
  return {
    env: { SMTP_URL: smtp.url, SMTP_CA_FILE: smtp.caFile },
    async next(to, timeoutMs = 10_000) {
      const mail = await smtp.waitFor((m) => addressedTo(m, to) && !handedOut.has(m), timeoutMs);
      handedOut.add(mail);
      return mail;
    },
    receivedBy: (to) => smtp.messages().filter((m) => addressedTo(m, to)),
    close: () => smtp.close(),
  };
}

/** The token of the link in a mail's text part (`?token=` or `&token=`). */
export function tokenOf(mail: { text: string }): string {
  const match = /[?&]token=([A-Za-z0-9_%-]+)/.exec(mail.text);
  if (!match) throw new Error(`No link with a token in the mail: ${mail.text.slice(0, 200)}`);
  return decodeURIComponent(match[1]!);
}

/** The first link of a mail's text part. */
export function linkOf(mail: { text: string }): string {
  const match = /https?:\/\/\S+/.exec(mail.text);
  if (!match) throw new Error('No link in the mail');
  return match[0];
}

/** Mails queued for `email` so far, delivered or not: what the service decided to send. */
export async function mailsQueuedFor(stack: Stack, email: string): Promise<number> {
  const { rows } = await stack.authDb.query<{ n: number }>(
    'SELECT count(*) AS n FROM mail_queue WHERE lower(to_address) = lower(?)',
    [email],
  );
  return Number(rows[0]!.n);
}
