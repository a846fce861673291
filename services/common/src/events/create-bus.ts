import type { Logger } from 'pino';
import type { SharedConfig } from '../config/shared-config.js';
import { AmqpBus } from './amqp-bus.js';
import type { BusObserver, EventBus } from './event-bus.js';
import { InProcessBus } from './in-process-bus.js';

export interface BusOptions {
  prefetch?: number;
  maxAttempts?: number;
  /** Called on every (re)connection to the broker, e.g. to wake the outbox relay. */
  onConnect?: () => void;
  /** Told of the bus's retries and dead letters (the consumer's metrics). */
  observer?: BusObserver;
}

/** RabbitMQ when AMQP_URL is set, the in-process bus otherwise. Connecting happens in the background. */
export function createBus(
  config: Pick<SharedConfig, 'amqp'>,
  logger: Logger,
  opts: BusOptions = {},
): EventBus {
  if (!config.amqp)
    return new InProcessBus({
      logger,
      ...(opts.maxAttempts ? { maxAttempts: opts.maxAttempts } : {}),
      ...(opts.observer ? { observer: opts.observer } : {}),
    });
  const bus = new AmqpBus({ url: config.amqp.url, queue: config.amqp.queue, logger, ...opts });
  void bus.start();
  return bus;
}
