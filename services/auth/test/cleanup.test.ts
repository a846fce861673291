import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '@platform/common';
import { loadAuthConfig, startAuthService } from '@platform/auth';
import { authDataSource } from '../src/data/data-source.js';
import { BlacklistEntity, OutboxEntity, SessionEntity } from '../src/data/entities.js';
import { LoginThrottleEntity } from '../src/throttle/throttle-repository.js';
import { Store } from '../src/data/store.js';
import { cleanup, type CleanupCounts } from '../src/maintenance/cleanup.js';
import { CleanupTimer } from '../src/maintenance/cleanup-timer.js';
import { generatePrivateJwk } from '../src/sessions/signing-keys.js';
import { createDatabase } from '../../../test/support/infra.js';
import { pollUntil, STACK_MODE, TEST_ENV } from '../../../test/support/stack.js';

// The cleanup against a real database: SQLite in the embedded project, Postgres in the infra one.
const HOUR = 3_600_000;
const logger = createLogger({ service: 'test', level: 'silent' });
let workDir: string;
let databaseUrl: string;
let dropDatabase: () => Promise<void> = async () => undefined;
let dataSource: DataSource;
let store: Store;
let userId: number;

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'auth-cleanup-'));
  if (STACK_MODE === 'infra') {
    const database = await createDatabase('auth_cleanup');
    databaseUrl = database.url;
    dropDatabase = database.drop;
  } else {
    databaseUrl = `sqlite:${path.join(workDir, 'auth.db')}`;
  }
  dataSource = authDataSource(databaseUrl);
  await dataSource.initialize();
  await dataSource.runMigrations();
  store = new Store(dataSource);
  const account = await store.repos.accounts.create(
    { login: 'cleanup', email: 'cleanup@example.com', hashedPassword: 'x' },
    ['user'],
  );
  userId = account.id;
});
afterAll(async () => {
  await dataSource?.destroy();
  await dropDatabase();
  await rm(workDir, { recursive: true, force: true });
});
beforeEach(async () => {
  for (const entity of [BlacklistEntity, SessionEntity, OutboxEntity, LoginThrottleEntity]) {
    await dataSource.createQueryBuilder().delete().from(entity).execute();
  }
});

const now = new Date();
const at = (offsetMs: number) => new Date(now.getTime() + offsetMs);

const blacklist = (jti: string, expiresAt: Date) =>
  store.repos.sessions.blacklist([{ jti, userId, expiresAt }]);

async function session(id: string, expiresAt: Date, revoked = false) {
  await store.repos.sessions.createSession({
    id,
    userId,
    refreshJti: `${id}-refresh`,
    accessJti: `${id}-access`,
    createdAt: now,
    expiresAt,
    ip: null,
    userAgent: null,
    proof: { amr: ['pwd'], aal: 1 },
  });
  if (revoked) await store.repos.sessions.revokeSessions(userId, 'logout', [id]);
}

/** An outbox event, sent at `sentAt` (or still pending), told apart by its aggregate id. */
async function event(aggregateId: number, sentAt: Date | null, createdAt = at(-24 * HOUR)) {
  await store.repos.outbox.add({ eventType: 'Register', aggregateId, payload: { aggregateId } });
  await dataSource
    .createQueryBuilder()
    .update(OutboxEntity)
    .set({ sent_at: sentAt, created_at: createdAt })
    .where('aggregate_id = :aggregateId', { aggregateId })
    .execute();
}

const remaining = {
  blacklist: async () =>
    (await dataSource.getRepository(BlacklistEntity).find()).map((r) => r.jti).sort(),
  sessions: async () =>
    (await dataSource.getRepository(SessionEntity).find()).map((r) => r.id).sort(),
  outbox: async () =>
    (await dataSource.getRepository(OutboxEntity).find()).map((r) => r.aggregate_id).sort(),
};

const none: CleanupCounts = {
  token_blacklist: 0,
  sessions: 0,
  outbox: 0,
  login_throttle: 0,
  mail_tokens: 0,
  mail_queue: 0,
  mfa_tokens: 0,
  webauthn_challenges: 0,
};

describe('cleanup', () => {
  it('When blacklisted tokens have expired, then their entries go and those of live tokens stay', async () => {
    await blacklist('expired-day', at(-24 * HOUR));
    await blacklist('expired-hour', at(-HOUR));
    await blacklist('expired-just-now', at(-10_000)); // within the clock-skew minute
    await blacklist('live', at(HOUR));
    const deleted = await cleanup(store, { now });
    expect(deleted).toEqual({ ...none, token_blacklist: 2 });
    expect(await remaining.blacklist()).toEqual(['expired-just-now', 'live']);
  });

  it('When sessions are past their refresh token’s expiry, then they go, revoked or not; the others stay', async () => {
    await session('expired', at(-HOUR));
    await session('revoked-expired', at(-2 * HOUR), true);
    await session('revoked-live', at(HOUR), true);
    await session('live', at(7 * 24 * HOUR));
    const deleted = await cleanup(store, { now });
    expect(deleted).toEqual({ ...none, sessions: 2 });
    expect(await remaining.sessions()).toEqual(['live', 'revoked-live']);
  });

  it('When outbox events were sent longer ago than the retention, then they go; recent and pending ones stay', async () => {
    await event(1, at(-2 * HOUR));
    await event(2, at(-HOUR - 60_000));
    await event(3, at(-10 * 60_000));
    await event(4, null); // never sent, however old: the relay still owes it
    const deleted = await cleanup(store, { now });
    expect(deleted).toEqual({ ...none, outbox: 2 });
    expect(await remaining.outbox()).toEqual([3, 4]);
    expect(await cleanup(store, { now, outboxRetentionMs: 60_000 })).toEqual({
      ...none,
      outbox: 1,
    });
    expect(await remaining.outbox()).toEqual([4]);
  });

  it('When brute-force counters are past their window, then their rows go and live ones stay', async () => {
    const counter = (key: string, expiresAt: Date) =>
      dataSource
        .createQueryBuilder()
        .insert()
        .into(LoginThrottleEntity)
        .values({ key, failures: 3, locked_until: null, expires_at: expiresAt })
        .execute();
    await counter('login:account:expired', at(-HOUR));
    await counter('altcha:used-expired', at(-2 * HOUR));
    await counter('login:ip:live', at(HOUR));
    expect(await cleanup(store, { now })).toEqual({ ...none, login_throttle: 2 });
    const left = await dataSource.getRepository(LoginThrottleEntity).find();
    expect(left.map((r) => r.key)).toEqual(['login:ip:live']);
  });

  it('When passkey challenges have expired, then they go, answered or not, and live ones stay', async () => {
    const challenges = store.repos.webauthnChallenges;
    const issue = (id: string, ttlSeconds: number) =>
      challenges.issue({ id, ceremony: 'login', userId: null, challenge: id, ttlSeconds });
    await issue('00000000-0000-4000-8000-000000000001', -3600);
    await issue('00000000-0000-4000-8000-000000000002', -7200);
    await issue('00000000-0000-4000-8000-000000000003', 3600);
    expect(await challenges.consume('00000000-0000-4000-8000-000000000002', 'login', null)).toBe(
      null,
    );
    expect(await cleanup(store, { now })).toEqual({ ...none, webauthn_challenges: 2 });
    const live = await challenges.consume('00000000-0000-4000-8000-000000000003', 'login', null);
    expect(live).toBe('00000000-0000-4000-8000-000000000003');
  });

  it('When there are more rows than a batch, then every batch is deleted and counted once', async () => {
    for (let i = 0; i < 25; i++) await blacklist(`expired-${i}`, at(-HOUR - i * 1000));
    await blacklist('live', at(HOUR));
    expect(await cleanup(store, { now, batchSize: 10 })).toEqual({ ...none, token_blacklist: 25 });
    expect(await remaining.blacklist()).toEqual(['live']);
    expect(await cleanup(store, { now, batchSize: 10 })).toEqual(none);
  });

  it('When two runs overlap, then neither fails and together they count each row once', async () => {
    for (let i = 0; i < 60; i++) await blacklist(`expired-${i}`, at(-HOUR - i * 1000));
    for (let i = 0; i < 30; i++) await session(`session-${i}`, at(-HOUR - i * 1000));
    const runs = await Promise.all([
      cleanup(store, { now, batchSize: 7 }),
      cleanup(store, { now, batchSize: 7 }),
    ]);
    expect(runs[0]!.token_blacklist + runs[1]!.token_blacklist).toBe(60);
    expect(runs[0]!.sessions + runs[1]!.sessions).toBe(30);
    expect(await remaining.blacklist()).toEqual([]);
    expect(await remaining.sessions()).toEqual([]);
  });

  it('When the service is stopping, then a run stops before its next batch', async () => {
    await blacklist('expired', at(-HOUR));
    expect(await cleanup(store, { now, signal: AbortSignal.abort() })).toEqual(none);
    expect(await remaining.blacklist()).toEqual(['expired']);
  });
});

describe('the cleanup timer', () => {
  it('When it runs, then it runs at once and again each interval, and stop() ends it', async () => {
    const runs: CleanupCounts[] = [];
    await blacklist('expired', at(-HOUR));
    const timer = new CleanupTimer({
      store,
      logger,
      intervalMs: 20,
      onRun: (deleted) => runs.push(deleted),
    });
    timer.start();
    await pollUntil(
      async () => runs.length >= 3,
      () => `${runs.length} runs`,
      5000,
      5,
    );
    await timer.stop();
    const stoppedAt = runs.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(runs.length).toBe(stoppedAt);
    expect(runs[0]).toEqual({ ...none, token_blacklist: 1 });
    expect(runs.slice(1).every((r) => r.token_blacklist === 0)).toBe(true);
  });

  it('When the auth service starts with CLEANUP_INTERVAL_MINUTES > 0, then it cleans up by itself', async () => {
    await blacklist('expired', at(-HOUR));
    await blacklist('live', at(HOUR));
    const service = await startAuthService(
      loadAuthConfig({
        ...TEST_ENV,
        DATA_DIR: workDir,
        DATABASE_URL: databaseUrl,
        CLEANUP_INTERVAL_MINUTES: '1',
      }),
      { logger },
    );
    try {
      await pollUntil(
        async () => (await remaining.blacklist()).length === 1,
        async () => `left: ${(await remaining.blacklist()).join(', ')}`,
        5000,
      );
      expect(await remaining.blacklist()).toEqual(['live']);
    } finally {
      await service.stop();
    }
  });

  it('When nothing sets CLEANUP_INTERVAL_MINUTES, then the service runs it hourly, except in production', async () => {
    expect(loadAuthConfig({ NODE_ENV: 'development' }).cleanupIntervalMs).toBe(HOUR);
    const production = loadAuthConfig({
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://db/auth',
      JWT_PRIVATE_KEYS: JSON.stringify([await generatePrivateJwk('k1')]),
      MFA_ENCRYPTION_KEYS: JSON.stringify({ current: 'k1', keys: { k1: 'A'.repeat(43) + '=' } }),
      SMTP_URL: 'smtp://mail.example.com:587',
      MAIL_FROM: 'Example <no-reply@example.com>',
      APP_BASE_URL: 'https://app.example.com',
    });
    expect(production.cleanupIntervalMs).toBe(0);
    expect(() => loadAuthConfig({ CLEANUP_INTERVAL_MINUTES: '-1' })).toThrow(
      /CLEANUP_INTERVAL_MINUTES/,
    );
  });
});
