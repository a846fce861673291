import type { EventBus, Logger } from '@platform/common';
import type { Store } from '../data/store.js';
import { pruneSentOutbox } from '../maintenance/cleanup.js';
import type { AuthMetrics } from '../metrics/metrics.js';

export interface OutboxRelayOptions {
  store: Store;
  bus: EventBus;
  logger: Logger;
  /** Fallback poll for rows written by other processes (the admin command, other replicas). */
  pollMs: number;
  batchSize?: number;
  /** Sent rows older than this are deleted (default: SENT_OUTBOX_RETENTION_MS, an hour). */
  retentionMs?: number;
  metrics?: Pick<AuthMetrics, 'eventPublished'>;
}

/**
 * Publishes outbox rows in the order they were written and marks them sent, in one transaction per
 * batch (rows claimed with SKIP LOCKED on Postgres, so several replicas can relay at once). `wake()`
 * after a commit makes delivery immediate; the poll catches everything else. A failed publish ends the
 * batch, so an account's later events wait for its earlier one, and is retried with backoff.
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;
  private failures = 0;
  private lastPrune = 0;

  constructor(private readonly opts: OutboxRelayOptions) {}

  start(): void {
    this.stopped = false;
    this.wake();
  }

  /** Runs a pass now (or right after the current one). */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.running = this.pass().finally(() => {
      this.running = undefined;
      if (this.stopped) return;
      if (this.again) {
        this.again = false;
        this.wake();
        return;
      }
      const delay =
        this.failures === 0 ? this.opts.pollMs : Math.min(10_000, 100 * 2 ** this.failures);
      this.timer = setTimeout(() => this.wake(), delay);
      this.timer.unref();
    });
  }

  /** Publishes everything pending now; used by tests and at shutdown. */
  async flush(): Promise<void> {
    await this.running;
    await this.pass();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private async pass(): Promise<void> {
    const batchSize = this.opts.batchSize ?? 100;
    try {
      for (;;) {
        const { claimed, error } = await this.opts.store.transaction(async (repos) => {
          const batch = await repos.outbox.claim(batchSize);
          const sent: number[] = [];
          for (const row of batch) {
            try {
              await this.opts.bus.publish({
                id: row.messageId,
                type: row.eventType,
                timestamp: row.createdAt,
                payload: JSON.parse(row.payload) as unknown,
                ...(row.correlationId ? { correlationId: row.correlationId } : {}),
              });
              sent.push(row.id);
              this.opts.metrics?.eventPublished(row.eventType);
            } catch (err) {
              await repos.outbox.markSent(sent);
              await repos.outbox.markFailed(
                row.id,
                err instanceof Error ? err.message : String(err),
              );
              return { claimed: batch.length, error: err };
            }
          }
          await repos.outbox.markSent(sent);
          return { claimed: batch.length, error: undefined };
        });
        if (error) {
          this.failures++;
          this.opts.logger.warn(
            { err: (error as Error).message },
            'outbox publish failed; will retry',
          );
          return;
        }
        this.failures = 0;
        if (claimed < batchSize) break;
      }
      await this.prune();
    } catch (err) {
      this.failures++;
      this.opts.logger.warn({ err }, 'outbox relay pass failed; will retry');
    }
  }

  /** A batch a minute at most, so a backlog never holds up publishing; the cleanup job does the rest. */
  private async prune(): Promise<void> {
    if (Date.now() - this.lastPrune < 60_000) return;
    this.lastPrune = Date.now();
    const deleted = await pruneSentOutbox(this.opts.store.repos.outbox, {
      retentionMs: this.opts.retentionMs,
      maxBatches: 1,
    });
    if (deleted > 0) this.opts.logger.info({ deleted }, 'pruned sent outbox rows');
  }
}
