import { PollLoop, type Logger, type PassResult } from '@platform/common';
import type { Store } from '../data/store.js';
import { messageIdFor, retryDelayMs } from './delivery-policy.js';
import { noMailMetrics, type MailMetrics, type MailOutcome } from './mail-metrics.js';
import type { ClaimedMail } from './mail-queue-repository.js';
import {
  MAX_SEND_MS,
  PermanentMailError,
  TransientMailError,
  type MailTransport,
} from './transport.js';

export interface CourierOptions {
  store: Store;
  transport: MailTransport;
  /** The From of every mail (MAIL_FROM); its domain is the Message-IDs'. */
  from: string;
  logger: Logger;
  /** Fallback poll for mails queued by other processes; wake() makes delivery immediate. */
  pollMs: number;
  /** Attempts that fail for a passing reason before a mail is given up on. */
  maxAttempts: number;
  metrics?: MailMetrics;
  /** Mails claimed at a time (default 10). */
  batchSize?: number;
  /** How long a claim keeps other couriers off a mail (default and least: twice MAX_SEND_MS, 60 s). */
  leaseSeconds?: number;
}

/** Longest wait between passes while the server is unreachable. */
const OUTAGE_BACKOFF_MS = 30_000;

/** The server could not be reached: the pass ends, and the loop backs off. */
class ServerUnavailable extends Error {}

/**
 * Delivers the mail queue, one mail at a time, in as many processes as run it. A claim leases a
 * few mails and commits before the first is sent; each then ends sent, retried later (passing
 * failures, with exponential backoff and jitter, until maxAttempts) or failed (refused for good).
 * When the server is out of reach the pass stops, hands its mails back without counting the
 * attempt, and the loop backs off. Log lines name a mail by id and template, never its subject,
 * body or link.
 */
export class Courier {
  private readonly loop: PollLoop;
  private readonly metrics: MailMetrics;
  private readonly batchSize: number;
  private readonly leaseSeconds: number;
  private stopping = false;

  constructor(private readonly opts: CourierOptions) {
    this.metrics = opts.metrics ?? noMailMetrics;
    this.batchSize = opts.batchSize ?? 10;
    this.leaseSeconds = Math.max(opts.leaseSeconds ?? 0, (2 * MAX_SEND_MS) / 1000);
    this.loop = new PollLoop({
      name: 'courier',
      pass: () => this.pass(),
      pollMs: opts.pollMs,
      logger: opts.logger,
      maxBackoffMs: OUTAGE_BACKOFF_MS,
    });
  }

  start(): void {
    this.stopping = false;
    this.loop.start();
  }

  /** Delivers now (or right after the pass in progress): call it after queueing a mail. */
  wake(): void {
    this.loop.wake();
  }

  /** Delivers every mail due now; rejects when the server cannot be reached (tests, tools). */
  flush(): Promise<void> {
    return this.loop.flush();
  }

  /** Takes no more mails, finishes the one being sent, hands the rest back, closes the transport. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop.stop();
    await this.opts.transport.close();
  }

  private async pass(): Promise<PassResult> {
    if (this.stopping) return 'idle';
    const { mail } = this.opts.store.repos;
    const batch = await mail.claim(this.batchSize, this.leaseSeconds);
    for (const [i, claimed] of batch.entries()) {
      // A send must end before the lease does, or another courier could send the mail too.
      if (this.stopping || Date.now() + MAX_SEND_MS >= claimed.leaseUntil.getTime()) {
        await mail.release(batch.slice(i).map((m) => m.id));
        return this.stopping ? 'idle' : 'more';
      }
      const unreachable = await this.deliver(claimed);
      if (unreachable) {
        await mail.release(
          batch.slice(i).map((m) => m.id),
          unreachable,
        );
        throw new ServerUnavailable(`mail server unavailable: ${unreachable}`);
      }
    }
    return batch.length === this.batchSize ? 'more' : 'idle';
  }

  /** Sends one mail and records how it went; returns why when the server could not be reached. */
  private async deliver(mail: ClaimedMail): Promise<string | undefined> {
    const { repos } = this.opts.store;
    if (mail.text === null || mail.html === null) {
      await repos.mail.markFailed(mail.id, 'the mail has no body');
      this.record(mail, 'failed', { reason: 'the mail has no body' });
      return undefined;
    }
    try {
      await this.opts.transport.send({
        id: mail.id,
        template: mail.template,
        from: this.opts.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: messageIdFor(mail, this.opts.from),
      });
    } catch (err) {
      return this.failed(mail, err);
    }
    await repos.mail.markSent(mail.id);
    this.record(mail, 'sent');
    return undefined;
  }

  private async failed(mail: ClaimedMail, err: unknown): Promise<string | undefined> {
    const { repos } = this.opts.store;
    if (err instanceof PermanentMailError) {
      await repos.mail.markFailed(mail.id, err.message);
      this.record(mail, 'failed', { reason: err.message });
      return undefined;
    }
    const reason = err instanceof Error ? err.message : String(err);
    if (err instanceof TransientMailError && err.serverDown) {
      this.record(mail, 'retried', { reason, serverDown: true });
      return reason;
    }
    if (mail.attempts >= this.opts.maxAttempts) {
      const why = `gave up after ${mail.attempts} attempts: ${reason}`;
      await repos.mail.markFailed(mail.id, why);
      this.record(mail, 'failed', { reason: why });
      return undefined;
    }
    const retryAt = new Date(Date.now() + retryDelayMs(mail.attempts));
    await repos.mail.markRetry(mail.id, reason, retryAt);
    this.record(mail, 'retried', { reason, retryAt: retryAt.toISOString() });
    return undefined;
  }

  private record(mail: ClaimedMail, outcome: MailOutcome, details: Record<string, unknown> = {}) {
    this.metrics.delivery(mail.template, outcome);
    const line = {
      mailId: mail.id,
      template: mail.template,
      outcome,
      attempts: mail.attempts,
      ...(mail.correlationId ? { requestId: mail.correlationId } : {}),
      ...details,
    };
    if (outcome === 'sent') this.opts.logger.info(line, 'mail sent');
    else
      this.opts.logger.warn(line, outcome === 'failed' ? 'mail given up' : 'mail delivery retried');
  }
}
