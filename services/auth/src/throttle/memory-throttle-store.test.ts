import { describe, expect, it } from 'vitest';
import { MemoryThrottleStore } from './memory-throttle-store.js';
import type { FailureRule } from './throttle-policy.js';

const rule: FailureRule = { threshold: 3, maxLockSeconds: 60, windowSeconds: 600, hardCap: 100 };

function store(maxKeys?: number) {
  const clock = { now: 1_000_000 };
  const tick = (seconds: number) => (clock.now += seconds * 1000);
  return { clock, tick, store: new MemoryThrottleStore(() => clock.now, maxKeys) };
}

describe('MemoryThrottleStore', () => {
  it('When attempts reach the threshold, then the one that reaches it is admitted and locks the next', async () => {
    const { store: s } = store();
    const hits = [];
    for (let i = 0; i < 4; i++) hits.push(...(await s.hit([{ key: 'k', rule }])));
    expect(hits.map((h) => [h.admitted, h.failures, h.lockedFor])).toEqual([
      [true, 1, 0],
      [true, 2, 0],
      [true, 3, 1],
      [false, 3, 1],
    ]);
  });

  it('When a key is locked, then attempts neither count nor extend the lock; after it the backoff doubles', async () => {
    const { store: s, tick } = store();
    for (let i = 0; i < 3; i++) await s.hit([{ key: 'k', rule }]);
    tick(0.5);
    expect((await s.hit([{ key: 'k', rule }]))[0]).toEqual({
      admitted: false,
      failures: 3,
      lockedFor: 0.5,
    });
    tick(0.5);
    expect((await s.hit([{ key: 'k', rule }]))[0]).toEqual({
      admitted: true,
      failures: 4,
      lockedFor: 2,
    });
    expect((await s.peek(['k'])).get('k')).toEqual({ failures: 4, lockedFor: 2 });
  });

  it('When the window passes without failures, then the counter starts again', async () => {
    const { store: s, tick } = store();
    for (let i = 0; i < 3; i++) await s.hit([{ key: 'k', rule }]);
    tick(601);
    expect((await s.peek(['k'])).size).toBe(0);
    expect((await s.hit([{ key: 'k', rule }]))[0]).toEqual({
      admitted: true,
      failures: 1,
      lockedFor: 0,
    });
  });

  it('When an attempt is released or its keys reset, then its count is taken back', async () => {
    const { store: s } = store();
    for (let i = 0; i < 3; i++) await s.hit([{ key: 'k', rule }]);
    await s.release([{ key: 'k', rule }]);
    expect((await s.peek(['k'])).get('k')).toEqual({ failures: 2, lockedFor: 0 });
    await s.reset(['k']);
    expect((await s.peek(['k'])).size).toBe(0);
  });

  it('When requests pass a rate limit, then they are refused until the window ends, which they do not move', async () => {
    const { store: s, tick } = store();
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await s.count('r', 2, 60));
    expect(results.map((r) => r.allowed)).toEqual([true, true, false]);
    tick(30);
    expect(await s.count('r', 2, 60)).toEqual({ allowed: false, retryAfter: 30 });
    tick(30);
    expect((await s.count('r', 2, 60)).allowed).toBe(true);
  });

  it('When a marker is claimed twice before it expires, then only the first claim succeeds', async () => {
    const { store: s, clock, tick } = store();
    const expiresAt = new Date(clock.now + 10_000);
    expect(await s.claimOnce('m', expiresAt)).toBe(true);
    expect(await s.claimOnce('m', expiresAt)).toBe(false);
    tick(11);
    expect(await s.claimOnce('m', new Date(clock.now + 10_000))).toBe(true);
  });

  it('When more keys arrive than it holds, then the stalest go and memory stays bounded', async () => {
    const { store: s } = store(100);
    for (let i = 0; i < 1000; i++) await s.hit([{ key: `k${i}`, rule }]);
    expect(s.size).toBeLessThanOrEqual(100);
    expect((await s.peek(['k999'])).size).toBe(1);
    expect((await s.peek(['k0'])).size).toBe(0);
  });
});
