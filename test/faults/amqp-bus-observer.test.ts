import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { AmqpBus, createLogger, PermanentEventError, type Delivery } from '@platform/common';
import { AMQP_URL, deleteQueues, uniqueName } from '../support/infra.js';
import { deadLetters, publishRaw, waitFor } from './fault-stack.js';

const logger = createLogger({ service: 'test', level: 'silent' });
const queue = uniqueName('user_info_observer');
afterAll(async () => {
  await deleteQueues(queue).catch(() => undefined);
});

describe('the RabbitMQ bus and its observer', () => {
  it('When deliveries fail, then the observer hears of each redelivery and of each dead letter with its kind', async () => {
    const heard: string[] = [];
    const bus = new AmqpBus({
      url: AMQP_URL,
      queue,
      logger,
      maxAttempts: 2,
      observer: {
        retried: (type) => heard.push(`retried ${type}`),
        deadLettered: (type, kind) => heard.push(`dead-lettered ${type} ${kind}`),
      },
    });
    await bus.start();
    await bus.subscribe({
      name: 'failing',
      handle: async (d: Delivery) => {
        if (d.type === 'Poison') throw new PermanentEventError('bad payload');
        throw new Error('transient');
      },
    });
    const [flaky, poison, garbage] = [randomUUID(), randomUUID(), randomUUID()];
    try {
      await publishRaw(queue, [{ body: '{}', messageId: flaky, type: 'Register' }]);
      await waitFor(
        'the failing message to be dead-lettered',
        async () => heard.length >= 2,
        20_000,
      );
      await publishRaw(queue, [
        { body: '{}', messageId: poison, type: 'Poison' },
        { body: 'not json', messageId: garbage },
      ]);
      await waitFor('both bad messages to be dead-lettered', async () => heard.length >= 4, 20_000);
    } finally {
      await bus.close();
    }
    expect(heard.slice(0, 2)).toEqual(['retried Register', 'dead-lettered Register exhausted']);
    expect(heard.slice(2).sort()).toEqual([
      'dead-lettered Poison invalid',
      'dead-lettered unknown invalid',
    ]);
    expect((await deadLetters(queue)).map((d) => d.id).sort()).toEqual(
      [flaky, garbage, poison].sort(),
    );
  });
});
