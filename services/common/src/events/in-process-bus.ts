import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { DeliveryPolicy, type DeliveryPolicyOptions } from './delivery-policy.js';
import type {
  BusObserver,
  DeadLetter,
  Delivery,
  EventBus,
  EventConsumer,
  EventMessage,
} from './event-bus.js';

export interface InProcessBusOptions extends DeliveryPolicyOptions {
  logger: Logger;
  /** Told of every retry and dead letter, whichever consumer's (metrics). */
  observer?: BusObserver;
}

/**
 * The embedded default's bus: one process, a FIFO queue, asynchronous delivery. It keeps the
 * contract of the broker-backed bus (JSON on the wire, and its DeliveryPolicy: retries, dead letters,
 * database outages waited out) so that consumers behave the same on both. A failed message is retried
 * in place, holding up the queue behind it. Messages live in memory: they do not survive a restart.
 */
export class InProcessBus implements EventBus {
  readonly deadLetters: DeadLetter[] = [];
  private readonly queue: { wire: string; message: EventMessage }[] = [];
  private readonly consumers: EventConsumer[] = [];
  private readonly idle = new Set<() => void>();
  private pumping = false;
  private closed = false;
  private readonly closing = new AbortController();
  private readonly policy: DeliveryPolicy;

  constructor(private readonly opts: InProcessBusOptions) {
    this.policy = new DeliveryPolicy(opts);
  }

  publish(message: EventMessage): Promise<void> {
    if (this.closed) return Promise.reject(new Error('The event bus is closed.'));
    // Serialise as the broker would, so a payload that cannot travel fails here, not in production.
    this.queue.push({ wire: JSON.stringify(message.payload), message });
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

  /** Delivers what is queued, but no longer waits for the database to return. */
  async close(): Promise<void> {
    this.closing.abort();
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
      await this.deliver(this.queue.shift()!);
    }
    this.pumping = false;
    if (this.queue.length === 0) {
      for (const resolve of this.idle) resolve();
      this.idle.clear();
    }
  }

  private async deliver(item: { wire: string; message: EventMessage }): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const delivery: Delivery = { ...item.message, payload: JSON.parse(item.wire), attempt };
      const verdict = await this.policy.deliver(this.consumers, delivery, this.closing.signal);
      if (!verdict) return;
      if (verdict.action === 'dead-letter') {
        const { kind, reason, consumer } = verdict;
        this.deadLetters.push({ message: item.message, reason, deadLetteredAt: new Date() });
        this.opts.logger.error(
          { messageId: delivery.id, type: delivery.type, consumer, attempt, kind, reason },
          'event dead-lettered',
        );
        this.opts.observer?.deadLettered(delivery.type, kind);
        return;
      }
      this.opts.observer?.retried(delivery.type);
      await sleep(verdict.delayMs);
    }
  }
}
