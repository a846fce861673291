import type { Logger } from 'pino';
import {
  PermanentEventError,
  type BusObserver,
  type DeadLetter,
  type Delivery,
  type EventBus,
  type EventConsumer,
  type EventMessage,
} from './event-bus.js';

export interface InProcessBusOptions {
  logger: Logger;
  /** Deliveries per message before it is dead-lettered. */
  maxAttempts?: number;
  retryDelayMs?: number;
  /** Told of every retry and dead letter, whichever consumer's (metrics). */
  observer?: BusObserver;
}

/**
 * The embedded default's bus: one process, a FIFO queue, asynchronous delivery. It keeps the
 * contract of the broker-backed bus (JSON on the wire, retries, dead letters) so that consumers behave
 * the same on both. Messages live in memory: they do not survive a restart.
 */
export class InProcessBus implements EventBus {
  readonly deadLetters: DeadLetter[] = [];
  private readonly queue: { wire: string; message: EventMessage; attempt: number }[] = [];
  private readonly consumers: EventConsumer[] = [];
  private readonly idle = new Set<() => void>();
  private pumping = false;
  private closed = false;
  private readonly maxAttempts: number;
  private readonly retryDelayMs: number;

  constructor(private readonly opts: InProcessBusOptions) {
    this.maxAttempts = opts.maxAttempts ?? 5;
    this.retryDelayMs = opts.retryDelayMs ?? 50;
  }

  publish(message: EventMessage): Promise<void> {
    if (this.closed) return Promise.reject(new Error('The event bus is closed.'));
    // Serialise as the broker would, so a payload that cannot travel fails here, not in production.
    this.queue.push({ wire: JSON.stringify(message.payload), message, attempt: 1 });
    this.schedule();
    return Promise.resolve();
  }

  subscribe(consumer: EventConsumer): Promise<void> {
    this.consumers.push(consumer);
    this.schedule();
    return Promise.resolve();
  }

  healthy(): boolean {
    return !this.closed;
  }

  /** Resolves when every published message has been handled or dead-lettered. */
  drained(): Promise<void> {
    if (this.queue.length === 0 && !this.pumping) return Promise.resolve();
    return new Promise((resolve) => this.idle.add(resolve));
  }

  async close(): Promise<void> {
    await this.drained();
    this.closed = true;
  }

  private schedule(): void {
    if (!this.pumping && this.consumers.length > 0 && this.queue.length > 0) {
      this.pumping = true;
      setImmediate(() => void this.pump());
    }
  }

  private async pump(): Promise<void> {
    while (this.queue.length > 0 && this.consumers.length > 0) {
      const item = this.queue.shift()!;
      const delivery: Delivery = {
        ...item.message,
        payload: JSON.parse(item.wire),
        attempt: item.attempt,
      };
      for (const consumer of this.consumers) {
        await this.deliver(consumer, delivery, item);
      }
    }
    this.pumping = false;
    if (this.queue.length === 0) {
      for (const resolve of this.idle) resolve();
      this.idle.clear();
    }
  }

  private async deliver(
    consumer: EventConsumer,
    delivery: Delivery,
    item: { wire: string; message: EventMessage; attempt: number },
  ): Promise<void> {
    for (let attempt = item.attempt; ; attempt++) {
      try {
        await consumer.handle({ ...delivery, attempt });
        return;
      } catch (err) {
        const permanent = err instanceof PermanentEventError;
        const reason = err instanceof Error ? err.message : String(err);
        if (permanent || attempt >= this.maxAttempts) {
          this.deadLetters.push({ message: item.message, reason, deadLetteredAt: new Date() });
          this.opts.observer?.deadLettered(delivery.type, permanent ? 'invalid' : 'exhausted');
          this.opts.logger.error(
            {
              messageId: delivery.id,
              type: delivery.type,
              consumer: consumer.name,
              attempt,
              reason,
            },
            'event dead-lettered',
          );
          return;
        }
        this.opts.logger.warn(
          { messageId: delivery.id, type: delivery.type, consumer: consumer.name, attempt, reason },
          'event handling failed; retrying',
        );
        this.opts.observer?.retried(delivery.type);
        await new Promise((r) => setTimeout(r, this.retryDelayMs * 2 ** (attempt - 1)));
      }
    }
  }
}
