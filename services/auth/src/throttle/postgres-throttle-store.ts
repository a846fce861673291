import { dialectOf, type SqlDialect } from '@platform/common';
import type { DataSource } from 'typeorm';
import { lockSeconds } from './throttle-policy.js';
import type { Counter, CounterState, Hit, ThrottleStore } from './throttle-store.js';

/** The failure count after this one: 1 when the counter's window has passed. */
const NEXT = '(CASE WHEN t.expires_at <= now() THEN 1 ELSE t.failures + 1 END)';

/**
 * One counter's upsert, its parameters from `$o+1`: key, threshold, longest backoff, window, hard
 * cap. lockSeconds() is repeated in SQL so that the count and its lock are decided in the statement
 * that locks the row; a locked counter is left as it is (no row comes back): a locked attempt
 * neither counts nor extends the lock.
 */
function upsert(o: number): string {
  const [key, threshold, longest, window, cap] = [1, 2, 3, 4, 5].map((n) => `$${o + n}`);
  const lock = (f: string) =>
    `(CASE WHEN ${f} >= ${cap}::int THEN GREATEST(${window}::float8, ${longest}::float8)
           WHEN ${f} >= ${threshold}::int
             THEN LEAST(${longest}::float8, power(2, LEAST(${f} - ${threshold}::int, 30)))
           ELSE 0 END)`;
  const lockedUntil = (f: string) =>
    `CASE WHEN ${lock(f)} > 0 THEN now() + make_interval(secs => ${lock(f)}) END`;
  const expiresAt = (f: string) =>
    `now() + make_interval(secs => GREATEST(${window}::float8, ${lock(f)}))`;
  return `
    INSERT INTO login_throttle AS t (key, failures, locked_until, expires_at)
    VALUES (${key}, 1, ${lockedUntil('1')}, ${expiresAt('1')})
    ON CONFLICT (key) DO UPDATE SET
      failures = ${NEXT}, locked_until = ${lockedUntil(NEXT)}, expires_at = ${expiresAt(NEXT)}
    WHERE t.expires_at <= now() OR t.locked_until IS NULL OR t.locked_until <= now()
    RETURNING ${o / 5} AS i, failures`;
}

/** The upserts of several counters as one command (each a data-modifying CTE on its own row). */
function hits(n: number): string {
  const steps = Array.from({ length: n }, (_, i) => `h${i} AS (${upsert(i * 5)})`);
  const rows = Array.from({ length: n }, (_, i) => `SELECT i, failures FROM h${i}`);
  return `WITH ${steps.join(',\n')}\n${rows.join(' UNION ALL ')}`;
}

const PEEK = `
  SELECT key, failures, GREATEST(0, EXTRACT(EPOCH FROM locked_until - now()))::float8 AS locked_for
  FROM login_throttle WHERE key = ANY($1::text[]) AND expires_at > now()`;

/** Takes one attempt back from a live counter; a counter back under its threshold is unlocked. */
const releaseOne = (key: string, threshold: string) => `
  UPDATE login_throttle AS t SET failures = t.failures - 1,
    locked_until = CASE WHEN t.failures - 1 < ${threshold}::int THEN NULL ELSE t.locked_until END
  WHERE t.key = ${key} AND t.failures > 0 AND t.expires_at > now()`;

const RELEASE = `
  UPDATE login_throttle AS t SET failures = t.failures - 1,
    locked_until = CASE WHEN t.failures - 1 < v.threshold THEN NULL ELSE t.locked_until END
  FROM (SELECT unnest($1::text[]) AS key, unnest($2::int[]) AS threshold) AS v
  WHERE t.key = v.key AND t.failures > 0 AND t.expires_at > now()`;

/**
 * proven()'s one command: for each key in key order, a data-modifying CTE that deletes its counter
 * (`reset`) or takes one attempt back (`release`, with the counter's threshold as its second parameter).
 */
function provenSteps(steps: readonly ('reset' | 'release')[]): string {
  let n = 0;
  const ctes = steps.map((step, i) => {
    const key = `$${++n}`;
    const sql =
      step === 'reset'
        ? `DELETE FROM login_throttle WHERE key = ${key}`
        : releaseOne(key, `$${++n}`);
    return `p${i} AS (${sql} RETURNING 1)`;
  });
  const rows = steps.map((_, i) => `SELECT 1 FROM p${i}`);
  return `WITH ${ctes.join(',\n')}\n${rows.join(' UNION ALL ')}`;
}

const RESET = 'DELETE FROM login_throttle WHERE key = ANY($1::text[])';
const RESET_MATCHING = `DELETE FROM login_throttle
  WHERE left(key, length($1::text)) = $1::text AND right(key, length($2::text)) = $2::text`;

/** Postgres chose this statement to break a deadlock; it changed nothing and can run again. */
const DEADLOCK_DETECTED = '40P01';

// now() is each transaction's start: a racer that started earlier may count on a window another
// opened after it began, so the time left is capped at the window it cannot exceed.
const COUNT = `
  INSERT INTO login_throttle AS t (key, failures, expires_at)
  VALUES ($1, 1, now() + make_interval(secs => $2::float8))
  ON CONFLICT (key) DO UPDATE SET
    failures = CASE WHEN t.expires_at <= now() THEN 1 ELSE t.failures + 1 END,
    expires_at = CASE WHEN t.expires_at <= now() THEN EXCLUDED.expires_at ELSE t.expires_at END
  RETURNING failures,
    LEAST($2::float8, EXTRACT(EPOCH FROM expires_at - now()))::float8 AS retry_after`;

const CLAIM = `
  INSERT INTO login_throttle AS t (key, failures, expires_at) VALUES ($1, 0, $2)
  ON CONFLICT (key) DO UPDATE SET failures = 0, locked_until = NULL, expires_at = EXCLUDED.expires_at
  WHERE t.expires_at <= now()
  RETURNING id`;

/**
 * The throttle store on Postgres, shared by every replica. Each counter moves in one
 * `INSERT ... ON CONFLICT (key) DO UPDATE ... RETURNING` whose window, lock and backoff are computed
 * in SQL from the row it locks, so concurrent replicas never lose a count (a login's three counters
 * travel as one command, one upsert each). Times are the database's clock, the one clock all
 * replicas share. The table is unlogged (see its migration).
 */
export class PostgresThrottleStore implements ThrottleStore {
  private readonly sql: SqlDialect;

  constructor(private readonly dataSource: DataSource) {
    this.sql = dialectOf(dataSource);
  }

  async peek(keys: readonly string[]): Promise<Map<string, CounterState>> {
    const rows = await this.query<{ key: string; failures: number; locked_for: number }>(PEEK, [
      keys,
    ]);
    return new Map(rows.map((r) => [r.key, { failures: r.failures, lockedFor: r.locked_for }]));
  }

  async hit(unordered: readonly Counter[]): Promise<Hit[]> {
    if (unordered.length === 0) return [];
    // Every statement here locks its rows in key order, so two of them never wait for each other
    // in a cycle (a deadlock, which Postgres would break by failing one).
    const order = unordered
      .map((_, i) => i)
      .sort((a, b) => compare(unordered[a]!.key, unordered[b]!.key));
    const counters = order.map((i) => unordered[i]!);
    const params = counters.flatMap(({ key, rule }) => [
      key,
      rule.threshold,
      rule.maxLockSeconds,
      rule.windowSeconds,
      rule.hardCap ?? 2_147_483_647,
    ]);
    const rows = await this.query<{ i: number; failures: number }>(hits(counters.length), params);
    const counted = new Map(rows.map((r) => [Number(r.i), r.failures]));
    const state =
      counted.size < counters.length ? await this.peek(counters.map((c) => c.key)) : undefined;
    const results = counters.map(({ key, rule }, i): Hit => {
      const failures = counted.get(i);
      if (failures !== undefined)
        return { admitted: true, failures, lockedFor: lockSeconds(failures, rule) };
      // Locked when the upsert ran; should the lock have ended since, one more second is asked for.
      const current = state?.get(key);
      return {
        admitted: false,
        failures: current?.failures ?? 0,
        lockedFor: current?.lockedFor || 1,
      };
    });
    const inOrderGiven: Hit[] = [];
    order.forEach((original, sorted) => (inOrderGiven[original] = results[sorted]!));
    return inOrderGiven;
  }

  async release(counters: readonly Counter[]): Promise<void> {
    if (counters.length === 0) return;
    await this.query(RELEASE, [counters.map((c) => c.key), counters.map((c) => c.rule.threshold)]);
  }

  async reset(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.query(RESET, [[...keys].sort(compare)]);
  }

  async resetMatching(prefix: string, suffix: string): Promise<void> {
    await this.query(RESET_MATCHING, [prefix, suffix]);
  }

  /**
   * One command whose steps lock the rows in key order, like hit()'s, so that it cannot deadlock
   * with a concurrent hit().
   */
  async proven(reset: readonly string[], release: readonly Counter[]): Promise<void> {
    const steps = [
      ...reset.map((key) => ({ key, step: 'reset' as const, params: [key] })),
      ...release.map(({ key, rule }) => ({
        key,
        step: 'release' as const,
        params: [key, rule.threshold],
      })),
    ].sort((a, b) => compare(a.key, b.key));
    if (steps.length === 0) return;
    await this.query(
      provenSteps(steps.map((s) => s.step)),
      steps.flatMap((s) => s.params),
    );
  }

  async count(key: string, limit: number, windowSeconds: number) {
    const [row] = await this.query<{ failures: number; retry_after: number }>(COUNT, [
      key,
      windowSeconds,
    ]);
    return { allowed: row!.failures <= limit, retryAfter: row!.retry_after };
  }

  async claimOnce(key: string, expiresAt: Date): Promise<boolean> {
    return (await this.query(CLAIM, [key, expiresAt])).length === 1;
  }

  /**
   * Runs one statement, prepared (a login runs three of them); one that lost a deadlock (only
   * possible for release()) runs again.
   */
  private async query<T>(sql: string, params: unknown[]): Promise<T[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.sql.query<T>(this.dataSource.manager, sql, params);
      } catch (err) {
        const code = (err as { driverError?: { code?: string } }).driverError?.code;
        if (code !== DEADLOCK_DETECTED || attempt >= 3) throw err;
      }
    }
  }
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
