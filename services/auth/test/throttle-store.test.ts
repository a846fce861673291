import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authDataSource } from '../src/data/data-source.js';
import { PostgresThrottleStore } from '../src/throttle/postgres-throttle-store.js';
import { MemoryThrottleStore } from '../src/throttle/memory-throttle-store.js';
import type { FailureRule } from '../src/throttle/throttle-policy.js';
import type { ThrottleStore } from '../src/throttle/throttle-store.js';
import { createDatabase } from '../../../test/support/infra.js';
import { STACK_MODE } from '../../../test/support/stack.js';

// The store each mode runs: memory in the embedded project; in the infra one, Postgres reached through
// two data sources, as two replicas would reach it.
let replicas: [ThrottleStore, ThrottleStore];
const dataSources: DataSource[] = [];
let dropDatabase: () => Promise<void> = async () => undefined;

beforeAll(async () => {
  if (STACK_MODE !== 'infra') {
    const memory = new MemoryThrottleStore();
    replicas = [memory, memory];
    return;
  }
  const database = await createDatabase('auth_throttle');
  dropDatabase = database.drop;
  for (let i = 0; i < 2; i++) {
    const dataSource = authDataSource(database.url, { poolSize: 10 });
    await dataSource.initialize();
    if (i === 0) await dataSource.runMigrations();
    dataSources.push(dataSource);
  }
  replicas = [
    new PostgresThrottleStore(dataSources[0]!),
    new PostgresThrottleStore(dataSources[1]!),
  ];
});
afterAll(async () => {
  for (const dataSource of dataSources) await dataSource.destroy();
  await dropDatabase();
});

const rule: FailureRule = { threshold: 5, maxLockSeconds: 1, windowSeconds: 60 };
const key = () => `test:${randomUUID()}`;
const both = <T>(n: number, work: (store: ThrottleStore) => Promise<T>) =>
  Promise.all(Array.from({ length: n }, (_, i) => work(replicas[i % 2]!)));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe(`the throttle store (${STACK_MODE === 'infra' ? 'Postgres, two replicas' : 'memory'})`, () => {
  it('When logins of one account from one address succeed and fail at once, then no statement fails (no deadlock)', async () => {
    // A success resets the account's counters and releases the address's; a failure counts all
    // three. Taking their rows in different orders made Postgres break deadlocks by failing one.
    const [account, ip, pair] = ['account', 'ip', 'pair'].map(
      (scope) => `${scope}:${randomUUID()}`,
    );
    const wide: FailureRule = { threshold: 1_000_000, maxLockSeconds: 1, windowSeconds: 60 };
    const counters = [account!, ip!, pair!].map((k) => ({ key: k, rule: wide }));
    const results = await both(300, (store) =>
      Math.random() < 0.5
        ? store.hit(counters).then(() => 'hit')
        : store.proven([account!, pair!], [{ key: ip!, rule: wide }]).then(() => 'proven'),
    );
    expect(results).toHaveLength(300);
  });

  it('When 40 attempts on one key race across replicas, then exactly the threshold is admitted and the key is locked', async () => {
    const k = key();
    const hits = await both(40, (store) => store.hit([{ key: k, rule }]).then(([hit]) => hit!));
    expect(hits.filter((h) => h.admitted)).toHaveLength(5);
    expect(
      hits
        .filter((h) => h.admitted)
        .map((h) => h.failures)
        .sort(),
    ).toEqual([1, 2, 3, 4, 5]);
    const state = (await replicas[1].peek([k])).get(k)!;
    expect(state.failures).toBe(5);
    expect(state.lockedFor).toBeGreaterThan(0);
    expect(state.lockedFor).toBeLessThanOrEqual(1);
  });

  it('When the lock ends, then the next attempt counts and locks again; a locked one neither counts nor extends it', async () => {
    const k = key();
    const single = { ...rule, threshold: 1 };
    expect((await replicas[0].hit([{ key: k, rule: single }]))[0]).toMatchObject({
      admitted: true,
      failures: 1,
    });
    expect((await replicas[1].hit([{ key: k, rule: single }]))[0]).toMatchObject({
      admitted: false,
      failures: 1,
    });
    await sleep(1100);
    expect((await replicas[1].hit([{ key: k, rule: single }]))[0]).toEqual({
      admitted: true,
      failures: 2,
      lockedFor: 1,
    });
  });

  it('When several counters are hit at once and one is locked, then each answers for itself', async () => {
    const [free, locked] = [key(), key()];
    const single = { ...rule, threshold: 1 };
    await replicas[0].hit([{ key: locked, rule: single }]);
    const answers = await replicas[1].hit([
      { key: free, rule },
      { key: locked, rule: single },
    ]);
    expect(answers[0]).toEqual({ admitted: true, failures: 1, lockedFor: 0 });
    expect(answers[1]).toMatchObject({ admitted: false, failures: 1 });
    expect(answers[1]!.lockedFor).toBeGreaterThan(0);
  });

  it('When an attempt is released or its key reset, then the count goes back', async () => {
    const k = key();
    for (let i = 0; i < 3; i++) await replicas[0].hit([{ key: k, rule }]);
    await replicas[1].release([{ key: k, rule }]);
    expect((await replicas[0].peek([k])).get(k)).toEqual({ failures: 2, lockedFor: 0 });
    await replicas[1].reset([k]);
    expect((await replicas[0].peek([k])).size).toBe(0);
  });

  it('When a password is proven, then its reset keys are forgotten and its released key goes back one', async () => {
    const [account, ip] = [key(), key()];
    for (let i = 0; i < 2; i++)
      await replicas[0].hit([
        { key: account, rule },
        { key: ip, rule },
      ]);
    await replicas[1].proven([account], [{ key: ip, rule }]);
    const state = await replicas[0].peek([account, ip]);
    expect(state.get(account)).toBeUndefined();
    expect(state.get(ip)).toEqual({ failures: 1, lockedFor: 0 });
  });

  it('When 40 requests race a rate limit of 10 across replicas, then exactly 10 are allowed', async () => {
    const k = key();
    const answers = await both(40, (store) => store.count(k, 10, 60));
    expect(answers.filter((a) => a.allowed)).toHaveLength(10);
    const refused = answers.find((a) => !a.allowed)!;
    expect(refused.retryAfter).toBeGreaterThan(55);
    expect(refused.retryAfter).toBeLessThanOrEqual(60);
  });

  // Postgres's alone: the memory store has one clock.
  if (STACK_MODE === 'infra')
    it('When a racer that began later opened the window, then the wait told is still no longer than the window', async () => {
      // now() is each transaction's start: a count that began before another replica opened the
      // window sees that window end a little more than 60 s after its own now(). Such a row, made
      // directly:
      const k = key();
      await dataSources[0]!.query(
        `INSERT INTO login_throttle (key, failures, expires_at)
         VALUES ($1, 1, now() + make_interval(secs => 60.5))`,
        [k],
      );
      const answer = await replicas[1].count(k, 10, 60);
      expect(answer.allowed).toBe(true);
      expect(answer.retryAfter).toBe(60);
    });

  it('When one solution is claimed 10 times at once across replicas, then exactly one claim wins', async () => {
    const k = key();
    const claims = await both(10, (store) => store.claimOnce(k, new Date(Date.now() + 60_000)));
    expect(claims.filter(Boolean)).toHaveLength(1);
  });
});
