import { PermanentMailError, TransientMailError } from './transport.js';

/** What nodemailer puts on the errors of an SMTP delivery. */
interface SmtpFailure {
  message?: unknown;
  code?: unknown;
  responseCode?: unknown;
  command?: unknown;
}

/** Replies to these commands are about the mail itself; replies to others are about the courier. */
const MAIL_COMMANDS = new Set(['RCPT TO', 'DATA']);
/** nodemailer's codes of a mail it refused to send before asking the server: nothing to retry. */
const INVALID_MAIL = new Set(['EENVELOPE', 'EMESSAGE']);

/**
 * Sorts a failed SMTP delivery. A 5xx reply to the recipient or the content refuses this mail for
 * good (550 mailbox unknown, 552 too big). A 4xx reply there is a passing refusal of this mail
 * (452 mailbox full). Everything else says the server is out of reach or refuses the courier
 * itself: connection, timeout, TLS, a failed login, a 421, a refused sender (MAIL FROM is the same
 * for every mail). Those hold for every waiting mail, so none of them is given up on for it.
 */
export function classifySmtpError(err: unknown): PermanentMailError | TransientMailError {
  const failure = (typeof err === 'object' && err !== null ? err : {}) as SmtpFailure;
  const code = typeof failure.code === 'string' ? failure.code : undefined;
  const reply = typeof failure.responseCode === 'number' ? failure.responseCode : undefined;
  const command = typeof failure.command === 'string' ? failure.command : undefined;
  const reason = describeSmtpError(failure, code);
  if (reply !== undefined && reply !== 421 && command && MAIL_COMMANDS.has(command)) {
    return reply >= 500 ? new PermanentMailError(reason) : new TransientMailError(reason, false);
  }
  if (reply === undefined && code && INVALID_MAIL.has(code) && command === 'API') {
    return new PermanentMailError(reason);
  }
  if (reply === undefined && code === 'EMESSAGE') return new PermanentMailError(reason);
  // Without a code, the error is not nodemailer's: a passing fault of this attempt.
  return new TransientMailError(reason, code !== undefined);
}

/** The error's code and message (which holds the server's reply), short; never the mail. */
function describeSmtpError(failure: SmtpFailure, code: string | undefined): string {
  const message = typeof failure.message === 'string' ? failure.message : String(failure.message);
  const text = code && !message.startsWith(code) ? `${code}: ${message}` : message;
  return text.replace(/\s+/g, ' ').slice(0, 500);
}
