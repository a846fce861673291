import { PollLoop, type EventBus, type Logger, type PassResult } from '@platform/common';
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
 * after a commit makes delivery immediate; the poll catches everything else (common's PollLoop). A
 * failed publish ends the batch, so an account's later events wait for its earlier one, and is retried
 * with backoff.
 */
export class OutboxRelay {
  private readonly loop: PollLoop;
  private lastPrune = 0;

  constructor(private readonly opts: OutboxRelayOptions) {
    this.loop = new PollLoop({
      name: 'outbox relay',
      pass: () => this.pass(),
      pollMs: opts.pollMs,
      logger: opts.logger,
    });
  }

  start(): void {
    this.loop.start();
  }

  /** Runs a pass now (or right after the current one). */
  wake(): void {
    this.loop.wake();
  }

  /** Publishes everything pending now; used by tests and at shutdown. */
  flush(): Promise<void> {
    return this.loop.flush();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** One batch: 'more' when it was full. A failed publish ends the batch and the pass (retried later). */
  private async pass(): Promise<PassResult> {
    const batchSize = this.opts.batchSize ?? 100;
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
          await repos.outbox.markFailed(row.id, err instanceof Error ? err.message : String(err));
          return { claimed: batch.length, error: err };
        }
      }
      await repos.outbox.markSent(sent);
      return { claimed: batch.length, error: undefined };
    });
    if (error) {
      throw new Error(`outbox publish failed: ${(error as Error).message}`, { cause: error });
    }
    if (claimed === batchSize) return 'more';
    await this.prune();
    return 'idle';
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
