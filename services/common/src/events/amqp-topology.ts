import type { Channel } from 'amqplib';

export interface Topology {
  /** The work queue (the seed's `user_info`). */
  queue: string;
  /** Where dead letters go: `<queue>.dlq`, fed by the exchange `<queue>.dlx`. */
  deadLetterQueue: string;
  deadLetterExchange: string;
  /** Broker-side backstop: a message redelivered this many times is dead-lettered by RabbitMQ itself. */
  deliveryLimit: number;
}

export function topology(queue: string, deliveryLimit = 20): Topology {
  return {
    queue,
    deadLetterQueue: `${queue}.dlq`,
    deadLetterExchange: `${queue}.dlx`,
    deliveryLimit,
  };
}

/**
 * Declares the queues (idempotent; both services do it on every connect, so either may start first):
 * a durable quorum queue with a delivery limit that dead-letters into a durable dead-letter queue.
 */
export async function declareTopology(channel: Channel, t: Topology): Promise<void> {
  await channel.assertExchange(t.deadLetterExchange, 'direct', { durable: true });
  await channel.assertQueue(t.deadLetterQueue, {
    durable: true,
    arguments: { 'x-queue-type': 'quorum' },
  });
  await channel.bindQueue(t.deadLetterQueue, t.deadLetterExchange, t.queue);
  await channel.assertQueue(t.queue, {
    durable: true,
    arguments: {
      'x-queue-type': 'quorum',
      'x-delivery-limit': t.deliveryLimit,
      'x-dead-letter-exchange': t.deadLetterExchange,
      'x-dead-letter-routing-key': t.queue,
    },
  });
}

/** Headers the consumer adds when it dead-letters a message itself. */
export const DEAD_LETTER_HEADERS = {
  reason: 'x-dead-letter-reason',
  failedAt: 'x-dead-lettered-at',
  attempts: 'x-attempts',
} as const;
