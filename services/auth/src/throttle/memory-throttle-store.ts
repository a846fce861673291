import { lockSeconds, type FailureRule } from './throttle-policy.js';
import type { Counter, CounterState, Hit, ThrottleStore } from './throttle-store.js';

interface Entry {
  failures: number;
  lockedUntil: number;
  expiresAt: number;
}

/** Keys kept at most; past it expired keys go first, then those least recently counted. */
export const MEMORY_THROTTLE_MAX_KEYS = 100_000;

/**
 * The throttle store of a single process (the embedded default on SQLite). Each method runs without
 * an await, so it is atomic within the process. Memory is bounded: a flood of distinct keys evicts
 * the stalest, which a single-process deployment accepts; replicas use the Postgres store.
 */
export class MemoryThrottleStore implements ThrottleStore {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly maxKeys = MEMORY_THROTTLE_MAX_KEYS,
  ) {}

  async peek(keys: readonly string[]): Promise<Map<string, CounterState>> {
    const now = this.now();
    const found = new Map<string, CounterState>();
    for (const key of keys) {
      const entry = this.live(key, now);
      if (entry) found.set(key, { failures: entry.failures, lockedFor: lockedFor(entry, now) });
    }
    return found;
  }

  async hit(counters: readonly Counter[]): Promise<Hit[]> {
    return counters.map(({ key, rule }) => this.hitOne(key, rule));
  }

  async release(counters: readonly Counter[]): Promise<void> {
    const now = this.now();
    for (const { key, rule } of counters) {
      const entry = this.live(key, now);
      if (!entry || entry.failures === 0) continue;
      entry.failures -= 1;
      if (entry.failures < rule.threshold) entry.lockedUntil = 0;
    }
  }

  async reset(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.entries.delete(key);
  }

  async resetMatching(prefix: string, suffix: string): Promise<void> {
    for (const key of [...this.entries.keys()]) {
      if (key.startsWith(prefix) && key.endsWith(suffix)) this.entries.delete(key);
    }
  }

  async proven(reset: readonly string[], release: readonly Counter[]): Promise<void> {
    await this.reset(reset);
    await this.release(release);
  }

  async count(key: string, limit: number, windowSeconds: number) {
    const now = this.now();
    const entry = this.live(key, now) ?? {
      failures: 0,
      lockedUntil: 0,
      expiresAt: now + windowSeconds * 1000,
    };
    entry.failures += 1;
    this.put(key, entry);
    return { allowed: entry.failures <= limit, retryAfter: (entry.expiresAt - now) / 1000 };
  }

  async claimOnce(key: string, expiresAt: Date): Promise<boolean> {
    if (this.live(key, this.now())) return false;
    this.put(key, { failures: 0, lockedUntil: 0, expiresAt: expiresAt.getTime() });
    return true;
  }

  /** Keys held now (tests). */
  get size(): number {
    return this.entries.size;
  }

  private hitOne(key: string, rule: FailureRule): Hit {
    const now = this.now();
    const entry = this.live(key, now);
    if (entry && entry.lockedUntil > now) {
      return { admitted: false, failures: entry.failures, lockedFor: lockedFor(entry, now) };
    }
    const failures = (entry?.failures ?? 0) + 1;
    const lock = lockSeconds(failures, rule);
    const lockedUntil = lock > 0 ? now + lock * 1000 : 0;
    this.put(key, {
      failures,
      lockedUntil,
      expiresAt: Math.max(now + rule.windowSeconds * 1000, lockedUntil),
    });
    return { admitted: true, failures, lockedFor: lock };
  }

  private live(key: string, now: number): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  /** Stores the entry as the most recently counted, and keeps the map within its bound. */
  private put(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size <= this.maxKeys) return;
    const now = this.now();
    for (const [k, e] of this.entries) if (e.expiresAt <= now) this.entries.delete(k);
    // Still full of live keys: drop the least recently counted tenth, so sweeps stay rare.
    const excess = this.entries.size - Math.floor(this.maxKeys * 0.9);
    if (excess <= 0) return;
    let dropped = 0;
    for (const k of this.entries.keys()) {
      if (dropped++ >= excess) break;
      this.entries.delete(k);
    }
  }
}

const lockedFor = (entry: Entry, now: number) => Math.max(0, (entry.lockedUntil - now) / 1000);
