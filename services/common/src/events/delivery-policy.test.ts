import { describe, expect, it } from 'vitest';
import { createLogger } from '../logging/logger.js';
import {
  DeliveryPolicy,
  type DeliveryClock,
  type DeliveryPolicyOptions,
} from './delivery-policy.js';
import { PermanentEventError, type Delivery, type EventConsumer } from './event-bus.js';

const logger = createLogger({ service: 'test', level: 'silent' });

/** A clock whose sleeps pass at once; it records them and may act on each (e.g. to abort). */
function fakeClock(onSleep: (ms: number) => void = () => undefined) {
  const slept: number[] = [];
  let now = 0;
  const clock: DeliveryClock = {
    now: () => now,
    sleep: (ms) => {
      slept.push(ms);
      now += ms;
      onSleep(ms);
      return Promise.resolve();
    },
  };
  return { clock, slept };
}

const newPolicy = (opts: DeliveryPolicyOptions = {}, clock = fakeClock().clock) =>
  new DeliveryPolicy({ logger, clock, ...opts });
const delivery = (attempt = 1): Delivery => ({
  id: 'm-1',
  type: 'Test',
  timestamp: new Date(0),
  payload: {},
  attempt,
});
const databaseDown = () =>
  Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

/** A consumer that throws the errors given, one per call, then succeeds. */
function failing(...errors: Error[]) {
  const calls: number[] = [];
  const consumer: EventConsumer = {
    name: 'failing',
    handle: async (d) => {
      calls.push(d.attempt);
      const error = errors.shift();
      if (error) throw error;
    },
  };
  return { consumer, calls };
}

describe('DeliveryPolicy', () => {
  it('When every consumer succeeds, then there is no verdict', async () => {
    const { consumer, calls } = failing();
    expect(await newPolicy().deliver([consumer, consumer], delivery())).toBeUndefined();
    expect(calls).toEqual([1, 1]);
  });

  it('When a consumer throws a PermanentEventError, then it is dead-lettered at once as invalid', async () => {
    const { consumer } = failing(new PermanentEventError('bad payload'));
    expect(await newPolicy({ maxAttempts: 5 }).deliver([consumer], delivery(1))).toEqual({
      action: 'dead-letter',
      kind: 'invalid',
      reason: 'bad payload',
      consumer: 'failing',
    });
  });

  it('When the last of maxAttempts deliveries fails, then it is dead-lettered as exhausted with the error as reason', async () => {
    const { consumer } = failing(new Error('busy'));
    expect(await newPolicy({ maxAttempts: 3 }).deliver([consumer], delivery(3))).toEqual({
      action: 'dead-letter',
      kind: 'exhausted',
      reason: 'busy',
      consumer: 'failing',
    });
  });

  it('When a consumer throws something other than an Error, then its text is the reason', async () => {
    const consumer: EventConsumer = {
      name: 'odd',
      handle: () => Promise.reject('just a string' as unknown as Error),
    };
    expect(await newPolicy({ maxAttempts: 1 }).deliver([consumer], delivery())).toMatchObject({
      kind: 'exhausted',
      reason: 'just a string',
    });
  });

  it('When an earlier delivery fails, then it is retried after a delay that doubles up to 5 s', async () => {
    const { consumer } = failing(new Error('busy'));
    expect(await newPolicy({ maxAttempts: 9 }).deliver([consumer], delivery(2))).toEqual({
      action: 'retry',
      delayMs: 400,
    });
    const policy = newPolicy();
    expect([1, 2, 3, 4, 5, 6, 7, 20].map((a) => policy.retryDelay(a))).toEqual([
      200, 400, 800, 1600, 3200, 5000, 5000, 5000,
    ]);
    const quick = newPolicy({ retryDelayMs: 5 });
    expect([1, 2, 3, 12].map((a) => quick.retryDelay(a))).toEqual([5, 10, 20, 5000]);
  });

  it('When a consumer fails, then the consumers after it do not get the delivery', async () => {
    const first = failing(new Error('busy'));
    const second = failing();
    await newPolicy().deliver([first.consumer, second.consumer], delivery());
    expect(second.calls).toEqual([]);
  });

  it('When the database is down for a while, then the handler waits in place and succeeds without spending an attempt', async () => {
    const { clock, slept } = fakeClock();
    const { consumer, calls } = failing(databaseDown(), databaseDown(), databaseDown());
    expect(await newPolicy({}, clock).deliver([consumer], delivery())).toBeUndefined();
    expect(calls).toEqual([1, 1, 1, 1]);
    expect(slept).toEqual([200, 400, 800]);
  });

  it('When the database stays down past dependencyWaitMs, then the wait gives up and the delivery fails', async () => {
    const { clock, slept } = fakeClock();
    const { consumer } = failing(...Array.from({ length: 20 }, databaseDown));
    const policy = newPolicy({ dependencyWaitMs: 20_000, maxAttempts: 2 }, clock);
    expect(await policy.deliver([consumer], delivery(1))).toEqual({
      action: 'retry',
      delayMs: 200,
    });
    expect(slept).toEqual([200, 400, 800, 1600, 3200, 5000, 5000]);
    expect(await policy.deliver([consumer], delivery(2))).toMatchObject({
      kind: 'exhausted',
      reason: 'connect ECONNREFUSED',
    });
  });

  it('When the bus is closing, then the handler stops waiting for the database', async () => {
    const closing = new AbortController();
    const { clock, slept } = fakeClock(() => closing.abort());
    const { consumer, calls } = failing(databaseDown(), databaseDown());
    const verdict = await newPolicy({}, clock).deliver([consumer], delivery(), closing.signal);
    expect(verdict).toEqual({ action: 'retry', delayMs: 200 });
    expect([calls, slept]).toEqual([[1], [200]]);
    expect(await newPolicy({}, clock).deliver([consumer], delivery(), closing.signal)).toEqual({
      action: 'retry',
      delayMs: 200,
    });
    expect(slept).toEqual([200]);
  });

  it('When an error is not about the connection, then it is not waited out', async () => {
    const { clock, slept } = fakeClock();
    const { consumer, calls } = failing(new Error('constraint violated'));
    await newPolicy({}, clock).deliver([consumer], delivery());
    expect([calls, slept]).toEqual([[1], []]);
  });
});
