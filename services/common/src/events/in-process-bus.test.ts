import { describe, expect, it } from 'vitest';
import { createLogger } from '../logging/logger.js';
import { PermanentEventError, type Delivery, type EventMessage } from './event-bus.js';
import { InProcessBus } from './in-process-bus.js';

const logger = createLogger({ service: 'test', level: 'silent' });
const newBus = (maxAttempts = 3) => new InProcessBus({ logger, maxAttempts, retryDelayMs: 1 });
const message = (id: string, payload: unknown = { n: id }): EventMessage => ({
  id,
  type: 'Test',
  timestamp: new Date(),
  payload,
});

/** A consumer that records every delivery and fails as `fail` says. */
function recorder(fail: (d: Delivery) => Error | undefined = () => undefined) {
  const deliveries: Delivery[] = [];
  return {
    deliveries,
    consumer: {
      name: 'recorder',
      handle: async (d: Delivery) => {
        deliveries.push(d);
        const error = fail(d);
        if (error) throw error;
      },
    },
  };
}

describe('InProcessBus', () => {
  it('When messages are published, then they are delivered once each in FIFO order', async () => {
    const bus = newBus();
    const { consumer, deliveries } = recorder();
    await bus.subscribe(consumer);
    for (const id of ['a', 'b', 'c', 'd']) await bus.publish(message(id));
    await bus.drained();
    expect(deliveries.map((d) => [d.id, d.attempt])).toEqual([
      ['a', 1],
      ['b', 1],
      ['c', 1],
      ['d', 1],
    ]);
  });

  it('When messages wait for a consumer, then drained() resolves only after they are handled', async () => {
    const bus = newBus();
    await bus.publish(message('early'));
    let drained = false;
    const done = bus.drained().then(() => (drained = true));
    await new Promise((r) => setTimeout(r, 5));
    expect(drained).toBe(false);
    const { consumer, deliveries } = recorder();
    await bus.subscribe(consumer);
    await done;
    expect(deliveries.map((d) => d.id)).toEqual(['early']);
  });

  it('When the payload travels, then it arrives as a JSON copy', async () => {
    const bus = newBus();
    const { consumer, deliveries } = recorder();
    await bus.subscribe(consumer);
    const payload = { when: new Date(0), nested: { x: 1 } };
    await bus.publish(message('json', payload));
    await bus.drained();
    expect(deliveries[0]!.payload).toEqual({ when: '1970-01-01T00:00:00.000Z', nested: { x: 1 } });
    expect(deliveries[0]!.payload).not.toBe(payload);
  });

  it('When handling fails for a while, then it is retried and succeeds', async () => {
    const bus = newBus(3);
    const { consumer, deliveries } = recorder((d) =>
      d.attempt < 3 ? new Error('busy') : undefined,
    );
    await bus.subscribe(consumer);
    await bus.publish(message('flaky'));
    await bus.drained();
    expect(deliveries.map((d) => d.attempt)).toEqual([1, 2, 3]);
    expect(bus.deadLetters).toEqual([]);
  });

  it('When handling keeps failing, then it is dead-lettered after maxAttempts and the next message is delivered', async () => {
    const bus = newBus(4);
    const { consumer, deliveries } = recorder((d) =>
      d.id === 'bad' ? new Error('database down') : undefined,
    );
    await bus.subscribe(consumer);
    await bus.publish(message('bad'));
    await bus.publish(message('good'));
    await bus.drained();
    expect(deliveries.map((d) => `${d.id}#${d.attempt}`)).toEqual([
      'bad#1',
      'bad#2',
      'bad#3',
      'bad#4',
      'good#1',
    ]);
    expect(bus.deadLetters.map((d) => [d.message.id, d.reason])).toEqual([
      ['bad', 'database down'],
    ]);
  });

  it('When a PermanentEventError is thrown, then it is dead-lettered at once', async () => {
    const bus = newBus(5);
    const { consumer, deliveries } = recorder(() => new PermanentEventError('bad payload'));
    await bus.subscribe(consumer);
    await bus.publish(message('poison'));
    await bus.drained();
    expect(deliveries).toHaveLength(1);
    expect(bus.deadLetters.map((d) => [d.message.id, d.reason])).toEqual([
      ['poison', 'bad payload'],
    ]);
  });

  it('When an observer is given, then it hears of every retry and dead letter with its kind', async () => {
    const heard: string[] = [];
    const bus = new InProcessBus({
      logger,
      maxAttempts: 2,
      retryDelayMs: 1,
      observer: {
        retried: (type) => heard.push(`retried ${type}`),
        deadLettered: (type, kind) => heard.push(`dead-lettered ${type} ${kind}`),
      },
    });
    const { consumer } = recorder((d) =>
      d.id === 'poison' ? new PermanentEventError('bad payload') : new Error('database down'),
    );
    await bus.subscribe(consumer);
    await bus.publish(message('failing'));
    await bus.publish({ ...message('poison'), type: 'Other' });
    await bus.drained();
    expect(heard).toEqual([
      'retried Test',
      'dead-lettered Test exhausted',
      'dead-lettered Other invalid',
    ]);
  });

  it('When nothing was published, then drained() resolves at once', async () => {
    await expect(newBus().drained()).resolves.toBeUndefined();
  });

  it('When the bus is closed, then it is unhealthy and refuses messages', async () => {
    const bus = newBus();
    expect(bus.healthy()).toBe(true);
    await bus.close();
    expect(bus.healthy()).toBe(false);
    await expect(bus.publish(message('late'))).rejects.toThrow('The event bus is closed.');
  });
});
