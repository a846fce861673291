import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import { isConnectionError } from '../data/db-errors.js';
import {
  PermanentEventError,
  type DeadLetterKind,
  type Delivery,
  type EventConsumer,
} from './event-bus.js';

export interface DeliveryPolicyOptions {
  /** Deliveries of a failing message before it is dead-lettered as exhausted. */
  maxAttempts?: number;
  /** The wait before the second delivery (200 ms); it doubles for each one after, up to 5 s. */
  retryDelayMs?: number;
  /** How long a handler waits in place for the database to return before the delivery fails. */
  dependencyWaitMs?: number;
}

/** What to do with a message that a consumer failed on. */
export type DeliveryVerdict =
  | { action: 'retry'; delayMs: number }
  | { action: 'dead-letter'; kind: DeadLetterKind; reason: string; consumer: string };

/** Time as the policy sees it; tests pass one that does not wait. */
export interface DeliveryClock {
  now(): number;
  /** Resolves after `ms`, or as soon as `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

const realClock: DeliveryClock = {
  now: () => Date.now(),
  sleep: (ms, signal) => delay(ms, undefined, { signal }).catch(() => undefined),
};

const MAX_RETRY_DELAY_MS = 5000;
const FIRST_DEPENDENCY_WAIT_MS = 200;
const MAX_DEPENDENCY_WAIT_MS = 5000;

/**
 * How both buses deliver, so that a consumer behaves the same on either: each consumer in turn;
 * database outages waited out in place (they are not the message's fault, so they spend no attempt);
 * on the first failure one verdict. A PermanentEventError is dead-lettered at once as `invalid`; any
 * other failure is delivered again after an exponential backoff, and dead-lettered as `exhausted` when
 * its `maxAttempts`th delivery fails. A dead letter's reason is the error's message; the attempt count
 * is kept beside it. The buses only carry the verdict out (ack, requeue, dead-letter queue or list).
 *
 * The one thing that necessarily differs is what "again" means. RabbitMQ redelivers: the message goes
 * back to the queue, may reach another replica, and its attempt is the broker's delivery count, so a
 * crash counts too. The in-process bus retries in place: the queue behind the message waits, and the
 * attempt is counted in memory.
 */
export class DeliveryPolicy {
  private readonly maxAttempts: number;
  private readonly retryDelayMs: number;
  private readonly dependencyWaitMs: number;
  private readonly clock: DeliveryClock;

  constructor(
    private readonly opts: DeliveryPolicyOptions & { logger: Logger; clock?: DeliveryClock },
  ) {
    this.maxAttempts = opts.maxAttempts ?? 5;
    this.retryDelayMs = opts.retryDelayMs ?? 200;
    this.dependencyWaitMs = opts.dependencyWaitMs ?? 60_000;
    this.clock = opts.clock ?? realClock;
  }

  /** Hands the delivery to each consumer; undefined when all succeeded, else the verdict. */
  async deliver(
    consumers: readonly EventConsumer[],
    delivery: Delivery,
    closing?: AbortSignal,
  ): Promise<DeliveryVerdict | undefined> {
    for (const consumer of consumers) {
      const error = await this.handle(consumer, delivery, closing);
      if (!error) continue;
      const verdict = this.verdict(error, delivery.attempt, consumer.name);
      if (verdict.action === 'retry') {
        this.opts.logger.warn(
          {
            messageId: delivery.id,
            type: delivery.type,
            consumer: consumer.name,
            attempt: delivery.attempt,
            reason: error.message,
            retryInMs: verdict.delayMs,
          },
          'event failed; delivering again',
        );
      }
      return verdict;
    }
    return undefined;
  }

  /** What becomes of a delivery, its `attempt`th, that `consumer` failed with `error`. */
  verdict(error: Error, attempt: number, consumer: string): DeliveryVerdict {
    const reason = error.message;
    if (error instanceof PermanentEventError)
      return { action: 'dead-letter', kind: 'invalid', reason, consumer };
    if (attempt >= this.maxAttempts)
      return { action: 'dead-letter', kind: 'exhausted', reason, consumer };
    return { action: 'retry', delayMs: this.retryDelay(attempt) };
  }

  /** The wait after the `attempt`th delivery failed. */
  retryDelay(attempt: number): number {
    return Math.min(MAX_RETRY_DELAY_MS, this.retryDelayMs * 2 ** (attempt - 1));
  }

  /** The handler's error, after waiting out a database outage until its deadline or closing. */
  private async handle(
    consumer: EventConsumer,
    delivery: Delivery,
    closing: AbortSignal | undefined,
  ): Promise<Error | undefined> {
    const deadline = this.clock.now() + this.dependencyWaitMs;
    for (let wait = FIRST_DEPENDENCY_WAIT_MS; ; wait = Math.min(wait * 2, MAX_DEPENDENCY_WAIT_MS)) {
      try {
        await consumer.handle(delivery);
        return undefined;
      } catch (err) {
        const error = err instanceof Error ? err : new Error(String(err));
        if (!isConnectionError(err) || closing?.aborted || this.clock.now() + wait > deadline) {
          return error;
        }
        this.opts.logger.warn(
          { messageId: delivery.id, consumer: consumer.name, reason: error.message, waitMs: wait },
          'database unavailable; waiting',
        );
        await this.clock.sleep(wait, closing);
        if (closing?.aborted) return error;
      }
    }
  }
}
