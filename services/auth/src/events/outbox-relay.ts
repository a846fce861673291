import type { EventBus, Logger } from '@platform/common';
import type { Store } from '../data/store.js';

export interface OutboxRelayOptions {
  store: Store;
  bus: EventBus;
  logger: Logger;
  /** Fallback poll for rows written by other processes (the admin command, other replicas). */
  pollMs: number;
  batchSize?: number;
}

/**
 * Publishes outbox rows in the order they were written and marks them sent. `wake()` after a commit
 * makes delivery immediate; the poll catches everything else. A failed publish stops the batch (order
 * is kept) and is retried with exponential backoff.
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;
  private failures = 0;

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
        this.failures === 0 ? this.opts.pollMs : Math.min(30_000, 200 * 2 ** this.failures);
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
        const batch = await this.opts.store.repos.outbox.pending(batchSize);
        for (const row of batch) {
          try {
            await this.opts.bus.publish({
              id: row.messageId,
              type: row.eventType,
              timestamp: row.createdAt,
              payload: JSON.parse(row.payload) as unknown,
              ...(row.correlationId ? { correlationId: row.correlationId } : {}),
            });
          } catch (err) {
            this.failures++;
            await this.opts.store.repos.outbox.markFailed(
              row.id,
              err instanceof Error ? err.message : String(err),
            );
            this.opts.logger.warn(
              { err, messageId: row.messageId },
              'outbox publish failed; will retry',
            );
            return;
          }
          await this.opts.store.repos.outbox.markSent([row.id]);
        }
        this.failures = 0;
        if (batch.length < batchSize) return;
      }
    } catch (err) {
      this.failures++;
      this.opts.logger.warn({ err }, 'outbox relay pass failed; will retry');
    }
  }
}
