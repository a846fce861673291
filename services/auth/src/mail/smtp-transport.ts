import { readFileSync } from 'node:fs';
import type { Logger } from '@platform/common';
import { createTransport } from 'nodemailer';
import { classifySmtpError } from './smtp-errors.js';
import { MAX_SEND_MS, messageOf, type MailTransport, type OutgoingMail } from './transport.js';

export interface SmtpTransportOptions {
  /** `smtp://` (STARTTLS when offered) or `smtps://` (TLS from the start), credentials in it. */
  url: string;
  /** A PEM file of the CA to trust for the server's certificate (besides the public ones). */
  caFile?: string | undefined;
  logger: Logger;
}

/**
 * Delivers over SMTP through one pooled connection (the courier sends one mail at a time). Each
 * send is one attempt: the pool never re-sends on its own, since the courier keeps count and a
 * re-send after the server has accepted the mail would deliver it twice. A send that takes longer
 * than MAX_SEND_MS is aborted, so it cannot outlive the courier's lease on the mail.
 */
export class SmtpTransport implements MailTransport {
  private readonly transporter;

  constructor(opts: SmtpTransportOptions) {
    const url = new URL(opts.url);
    const secure = url.protocol === 'smtps:';
    this.transporter = createTransport({
      pool: true,
      maxConnections: 1,
      maxRequeues: 0,
      host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: url.port ? Number(url.port) : secure ? 465 : 587,
      secure,
      auth: url.username
        ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) }
        : undefined,
      tls: {
        minVersion: 'TLSv1.2',
        ...(opts.caFile ? { ca: readFileSync(opts.caFile, 'utf8') } : {}),
      },
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
      logger: false,
    });
    this.transporter.on('error', (err: Error) =>
      opts.logger.warn({ err: classifySmtpError(err).message }, 'SMTP transport error'),
    );
  }

  async send(mail: OutgoingMail): Promise<void> {
    try {
      await this.transporter.sendMail({
        ...messageOf(mail),
        signal: AbortSignal.timeout(MAX_SEND_MS),
      });
    } catch (err) {
      throw classifySmtpError(err);
    }
  }

  async close(): Promise<void> {
    this.transporter.close();
  }
}
