import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authDataSource } from '../../services/auth/src/data/data-source.js';
import { Store } from '../../services/auth/src/data/store.js';
import { cleanup, type CleanupCounts } from '../../services/auth/src/maintenance/cleanup.js';
import { createDatabase } from '../support/infra.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EXPIRED = 100_000;
const LIVE = 1_000;

let database: Awaited<ReturnType<typeof createDatabase>>;
/** What the service's requests go through. */
let service: DataSource;
let store: Store;
let userId: number;

beforeAll(async () => {
  database = await createDatabase('cleanup_load');
  service = authDataSource(database.url, { poolSize: 8 });
  await service.initialize();
  await service.runMigrations();
  store = new Store(service);
  userId = (
    await store.repos.accounts.create(
      { login: 'load', email: 'load@example.com', hashedPassword: 'x' },
      ['user'],
    )
  ).id;
});
afterAll(async () => {
  await service?.destroy();
  await database?.drop();
});

/**
 * `EXPIRED` blacklist entries expired an hour or more ago and `LIVE` ones that expire in an hour or
 * more, with a run-specific prefix; plus 5000 expired and 100 live sessions (a third of each revoked),
 * and 2000 events sent two hours ago and 50 pending ones.
 */
async function fill(prefix: string): Promise<void> {
  await service.query('DELETE FROM outbox'); // the events of an earlier fill
  await service.query(
    `INSERT INTO token_blacklist (jti, user_id, expires_at, blacklisted_at)
     SELECT $1::text || '-expired-' || g, $2::int, now() - interval '1 hour' - g * interval '1 second', now() - interval '8 days'
       FROM generate_series(1, $3::int) AS g
     UNION ALL
     SELECT $1::text || '-live-' || g, $2::int, now() + interval '1 hour' + g * interval '1 second', now()
       FROM generate_series(1, $4::int) AS g`,
    [prefix, userId, EXPIRED, LIVE],
  );
  await service.query(
    `INSERT INTO sessions (id, user_id, refresh_jti, created_at, expires_at, revoked_at)
     SELECT $1::text || '-s' || g, $2::int, $1::text || '-r' || g, now() - interval '9 days',
            CASE WHEN g <= 5000 THEN now() - interval '2 days' ELSE now() + interval '2 days' END,
            CASE WHEN g % 3 = 0 THEN now() - interval '3 days' END
       FROM generate_series(1, 5100) AS g`,
    [prefix, userId],
  );
  await service.query(
    `INSERT INTO outbox (message_id, event_type, aggregate_id, payload, created_at, sent_at)
     SELECT gen_random_uuid(), 'Register', g, '{}', now() - interval '3 hours',
            CASE WHEN g <= 2000 THEN now() - interval '2 hours' END
       FROM generate_series(1, 2050) AS g`,
  );
}

async function count(sql: string, params: unknown[] = []): Promise<number> {
  const rows = (await service.query(sql, params)) as { n: string }[];
  return Number(rows[0]!.n);
}

/**
 * Requests of the running service, through its repositories, until `done`: each worker blacklists a
 * new live token and looks up one live, one just-added and one expired token, in a loop. Returns
 * what it added and the slowest call; any failure fails the test.
 */
function traffic(prefix: string, workers = 4) {
  let done = false;
  const added: string[] = [];
  let slowestMs = 0;
  let lookups = 0;
  const timed = async <T>(work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const result = await work();
    slowestMs = Math.max(slowestMs, performance.now() - started);
    return result;
  };
  const deadline = Date.now() + 120_000;
  const loops = Array.from({ length: workers }, async (_, w) => {
    const { sessions } = store.repos;
    for (let n = 0; !done && Date.now() < deadline; n++) {
      const jti = `${prefix}-during-${w}-${n}`;
      await timed(() =>
        sessions.blacklist([{ jti, userId, expiresAt: new Date(Date.now() + 3_600_000) }]),
      );
      added.push(jti);
      const live = `${prefix}-live-${1 + ((n * 7 + w) % LIVE)}`;
      // The lookup every refresh and authenticated request makes (no session by that id here).
      const listed = (token: string) =>
        timed(() => sessions.tokenState(token, prefix).then((state) => state.blacklisted));
      const [liveFound, addedFound] = await Promise.all([
        listed(live),
        listed(jti),
        listed(`${prefix}-expired-${1 + ((n * 13 + w) % EXPIRED)}`),
      ]);
      lookups += 3;
      if (!liveFound || !addedFound) throw new Error(`a live token is missing: ${live} or ${jti}`);
    }
  });
  return {
    stop: async () => {
      done = true;
      await Promise.all(loops);
      return { added, slowestMs, lookups };
    },
  };
}

/** A run from a process of its own (the CronJob, or a replica's timer): its own single connection. */
async function cleanupRun(): Promise<CleanupCounts> {
  const own = authDataSource(database.url, { poolSize: 1 });
  await own.initialize();
  try {
    return await cleanup(new Store(own));
  } finally {
    await own.destroy();
  }
}

async function expectOnlyLiveRowsLeft(prefix: string, addedDuringRun: string[]): Promise<void> {
  expect(
    await count(
      `SELECT count(*) AS n FROM token_blacklist WHERE jti LIKE $1 || '-%' AND expires_at < now()`,
      [prefix],
    ),
  ).toBe(0);
  expect(
    await count(`SELECT count(*) AS n FROM token_blacklist WHERE jti LIKE $1 || '-live-%'`, [
      prefix,
    ]),
  ).toBe(LIVE);
  expect(
    await count(`SELECT count(*) AS n FROM token_blacklist WHERE jti = ANY($1)`, [addedDuringRun]),
  ).toBe(addedDuringRun.length);
  expect(await count(`SELECT count(*) AS n FROM sessions WHERE id LIKE $1 || '-%'`, [prefix])).toBe(
    100,
  );
  expect(await count(`SELECT count(*) AS n FROM outbox`)).toBe(50);
  expect(await count(`SELECT count(*) AS n FROM outbox WHERE sent_at IS NOT NULL`)).toBe(0);
}

const expected: CleanupCounts = {
  token_blacklist: EXPIRED,
  sessions: 5000,
  outbox: 2000,
  login_throttle: 0,
  mail_tokens: 0,
  mail_queue: 0,
  mfa_tokens: 0,
  webauthn_challenges: 0,
};

describe(`the cleanup on Postgres with ${EXPIRED} expired and ${LIVE} live blacklist entries`, () => {
  it('When it runs while requests blacklist and look up tokens, then exactly the expired rows go and every live one stays', async () => {
    await fill('a');
    const load = traffic('a');
    await new Promise((resolve) => setTimeout(resolve, 200)); // traffic under way first
    const started = performance.now();
    const deleted = await cleanupRun();
    const cleanupMs = performance.now() - started;
    const { added, slowestMs, lookups } = await load.stop();
    console.info(
      `cleanup: ${JSON.stringify(deleted)} in ${Math.round(cleanupMs)} ms beside ${added.length} inserts and ${lookups} lookups (slowest ${Math.round(slowestMs)} ms)`,
    );
    expect(deleted).toEqual(expected);
    expect(added.length).toBeGreaterThan(0);
    // No request waited for the cleanup's locks: each batch locks only expired rows, briefly.
    expect(slowestMs).toBeLessThan(2000);
    await expectOnlyLiveRowsLeft('a', added);
  }, 120_000);

  it('When two runs overlap under the same traffic, then neither fails and each row is counted once', async () => {
    await fill('b');
    const load = traffic('b');
    const runs = await Promise.all([cleanupRun(), cleanupRun()]);
    const { added } = await load.stop();
    console.info(`overlapping cleanups: ${JSON.stringify(runs)}`);
    const sum = (table: keyof CleanupCounts) => runs[0]![table] + runs[1]![table];
    expect({
      token_blacklist: sum('token_blacklist'),
      sessions: sum('sessions'),
      outbox: sum('outbox'),
      login_throttle: sum('login_throttle'),
      mail_tokens: sum('mail_tokens'),
      mail_queue: sum('mail_queue'),
      mfa_tokens: sum('mfa_tokens'),
      webauthn_challenges: sum('webauthn_challenges'),
    }).toEqual(expected);
    await expectOnlyLiveRowsLeft('b', added);
  }, 120_000);
});

/** `node services/auth/dist/cli/cleanup.js`, as the CronJob runs it (the infra project builds dist/). */
function cleanupCommand(env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['services/auth/dist/cli/cleanup.js'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the cleanup command', () => {
  it('When the CronJob runs it against DATABASE_URL, then it prints one JSON line of what it deleted and exits 0', async () => {
    await fill('c');
    const { code, stdout, stderr } = await cleanupCommand({ DATABASE_URL: database.url });
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const report = JSON.parse(lines[0]!) as { deleted: CleanupCounts; duration_ms: number };
    expect(report.deleted).toEqual(expected);
    expect(report.duration_ms).toBeGreaterThanOrEqual(0);
    await expectOnlyLiveRowsLeft('c', []);
  }, 60_000);

  it('When the database cannot be reached, then it exits 1 and says why', async () => {
    const { code, stdout, stderr } = await cleanupCommand({
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/auth',
      DATABASE_TIMEOUT_MS: '1000',
    });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^cleanup failed: \S/);
  });

  it('When the database has not been migrated, then it exits 1 and names the migration command', async () => {
    const fresh = await createDatabase('cleanup_unmigrated');
    try {
      const { code, stderr } = await cleanupCommand({ DATABASE_URL: fresh.url });
      expect(code).toBe(1);
      expect(stderr).toMatch(/^cleanup failed: .*pending migrations.*migrate:auth/);
    } finally {
      await fresh.drop();
    }
  });

  it('When a setting is wrong, then it exits 1 naming the variable', async () => {
    const { code, stderr } = await cleanupCommand({ DATABASE_URL: 'mysql://nope' });
    expect(code).toBe(1);
    expect(stderr).toMatch(/DATABASE_URL/);
  });
});
