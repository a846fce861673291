import type { FailureRule } from './throttle-policy.js';

/** A failure counter as it stands. */
export interface CounterState {
  failures: number;
  /** Seconds the key stays locked from now; 0 when it is not locked. */
  lockedFor: number;
}

/** A failure counter's key and how its failures turn into locks. */
export interface Counter {
  key: string;
  rule: FailureRule;
}

/** The answer to an attempt: counted (and maybe locking the attempts after it), or refused as locked. */
export interface Hit extends CounterState {
  admitted: boolean;
}

/**
 * Failure counters, per-IP rate counters and single-use markers, shared by every replica that uses the
 * same store (Postgres) or by this process alone (memory, the embedded default). Every method is one
 * atomic step: two replicas counting the same key at once both count.
 */
export interface ThrottleStore {
  /** The live counters among `keys` (a key without failures in its window is left out). */
  peek(keys: readonly string[]): Promise<Map<string, CounterState>>;
  /**
   * Counts one attempt on each counter, unless that counter is locked: then it does not change and
   * the attempt is not admitted there. An attempt is counted before its password is checked, so that
   * concurrent attempts cannot all slip in before the first of them fails. Answers in `counters` order.
   */
  hit(counters: readonly Counter[]): Promise<Hit[]>;
  /** Takes one counted attempt back from each (its password was right, or another key refused it). */
  release(counters: readonly Counter[]): Promise<void>;
  /** Forgets the keys' failures. */
  reset(keys: readonly string[]): Promise<void>;
  /** Forgets every key that starts with `prefix` and ends with `suffix`. */
  resetMatching(prefix: string, suffix: string): Promise<void>;
  /** A proven password: forgets `reset` and takes one attempt back from `release`, in one step. */
  proven(reset: readonly string[], release: readonly Counter[]): Promise<void>;
  /**
   * A fixed-window rate counter: counts one request; refused past `limit` in the window, with the
   * seconds until the window ends. Refused requests do not move the window.
   */
  count(
    key: string,
    limit: number,
    windowSeconds: number,
  ): Promise<{ allowed: boolean; retryAfter: number }>;
  /** Marks the key used until `expiresAt`; false when it was marked already (a replay). */
  claimOnce(key: string, expiresAt: Date): Promise<boolean>;
}
