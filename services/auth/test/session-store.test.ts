import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authDataSource } from '../src/data/data-source.js';
import { Store } from '../src/data/store.js';
import { createDatabase } from '../../../test/support/infra.js';
import { STACK_MODE } from '../../../test/support/stack.js';

// The session statements of login and refresh against the real database of each mode: a login's
// session and its audit record are written together (one statement on Postgres, one transaction on
// SQLite), and a refresh reads its session and swaps its token in one round trip each.
let workDir: string;
let dropDatabase: () => Promise<void> = async () => undefined;
let dataSource: DataSource;
let store: Store;
let userId: number;

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'auth-session-store-'));
  let url = `sqlite:${path.join(workDir, 'auth.db')}`;
  if (STACK_MODE === 'infra') {
    const database = await createDatabase('auth_session_store');
    url = database.url;
    dropDatabase = database.drop;
  }
  dataSource = authDataSource(url);
  await dataSource.initialize();
  await dataSource.runMigrations();
  store = new Store(dataSource);
  userId = (
    await store.repos.accounts.create(
      { login: 'audited', email: 'audited@example.com', hashedPassword: 'x' },
      ['user'],
    )
  ).id;
});
afterAll(async () => {
  await dataSource?.destroy();
  await dropDatabase();
  await rm(workDir, { recursive: true, force: true });
});

const newSession = (id: string) => ({
  id,
  userId,
  refreshJti: randomUUID(),
  accessJti: randomUUID(),
  createdAt: new Date(),
  expiresAt: new Date(Date.now() + 60_000),
  ip: '192.0.2.7',
  userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
  proof: { amr: ['pwd'], aal: 1 as const },
});
const auditRows = async (requestId: string) =>
  (await dataSource.query(
    `SELECT action, outcome, user_id, ip FROM audit_log WHERE request_id = ${STACK_MODE === 'infra' ? '$1' : '?'}`,
    [requestId],
  )) as { action: string; outcome: string; user_id: number; ip: string }[];

describe(`a login's session and its audit record (${STACK_MODE === 'infra' ? 'Postgres' : 'SQLite'})`, () => {
  it('When the session is stored, then so is its audit record, outside or inside a transaction', async () => {
    for (const inside of [false, true]) {
      const requestId = randomUUID();
      const id = randomUUID();
      const audit = {
        action: 'login',
        outcome: 'success',
        userId,
        ip: '192.0.2.7',
        requestId,
      } as const;
      if (inside) {
        await store.transaction((repos) => repos.sessions.createSession(newSession(id), audit));
      } else {
        await store.repos.sessions.createSession(newSession(id), audit);
      }
      expect((await store.repos.sessions.tokenState('-', id)).session).toMatchObject({
        id,
        userId,
      });
      expect(await auditRows(requestId)).toEqual([
        { action: 'login', outcome: 'success', user_id: userId, ip: '192.0.2.7' },
      ]);
    }
  });

  it("When a session is stored with its login's proof, then its token state reads the proof back", async () => {
    const id = randomUUID();
    const proof = { amr: ['pwd', 'otp', 'mfa'], aal: 2 as const };
    await store.repos.sessions.createSession({ ...newSession(id), proof });
    expect((await store.repos.sessions.tokenState('-', id)).session?.proof).toEqual(proof);
    await store.repos.sessions.createSession(newSession(`${id.slice(0, -1)}0`), {
      action: 'login',
      outcome: 'success',
      userId,
    });
    expect(
      (await store.repos.sessions.tokenState('-', `${id.slice(0, -1)}0`)).session?.proof,
    ).toEqual({ amr: ['pwd'], aal: 1 });
  });

  it('When the session cannot be stored, then neither is its audit record', async () => {
    const id = randomUUID();
    await store.repos.sessions.createSession(newSession(id));
    const requestId = randomUUID();
    const audit = { action: 'login', outcome: 'success', userId, requestId } as const;
    // The same session id again: the primary key refuses it.
    await expect(store.repos.sessions.createSession(newSession(id), audit)).rejects.toThrow();
    expect(await auditRows(requestId)).toEqual([]);
  });

  it('When the audit record cannot be stored, then neither is the session', async () => {
    const requestId = `refused-${randomUUID()}`;
    await refuseAuditInsert(requestId);
    const id = randomUUID();
    const audit = { action: 'login', outcome: 'success', userId, requestId } as const;
    await expect(store.repos.sessions.createSession(newSession(id), audit)).rejects.toThrow(
      /refused by the test/,
    );
    expect((await store.repos.sessions.tokenState('-', id)).session).toBeNull();
  });
});

describe(`a refresh's session statements (${STACK_MODE === 'infra' ? 'Postgres' : 'SQLite'})`, () => {
  it('When a session is read back with its token, then its times are the ones stored, to the millisecond', async () => {
    const session = {
      ...newSession(randomUUID()),
      createdAt: new Date('2026-01-02T03:04:05.678Z'),
    };
    await store.repos.sessions.createSession(session);
    const state = await store.repos.sessions.tokenState(session.refreshJti, session.id);
    const { ip: _ip, userAgent: _userAgent, ...stored } = session;
    expect(state).toEqual({
      blacklisted: false,
      session: { ...stored, revokedAt: null, previousRefreshJti: null, refreshedAt: null },
    });
    expect(await store.repos.sessions.tokenState(session.refreshJti, randomUUID())).toEqual({
      blacklisted: false,
      session: null,
    });
  });

  it('When a refresh token is swapped, then it is blacklisted, and a second swap from it fails', async () => {
    const session = newSession(randomUUID());
    await store.repos.sessions.createSession(session);
    const from = { jti: session.refreshJti, userId, expiresAt: session.expiresAt };
    const to = {
      jti: randomUUID(),
      accessJti: randomUUID(),
      expiresAt: new Date(Date.now() + 120_000),
      issuedAt: new Date('2026-01-02T03:04:05.678Z'),
      ip: '198.51.100.4',
    };
    expect(await store.repos.sessions.rotate(session.id, from, to)).toBe(true);
    expect(await store.repos.sessions.rotate(session.id, from, { ...to, jti: randomUUID() })).toBe(
      false,
    );
    const state = await store.repos.sessions.tokenState(from.jti, session.id);
    expect(state.blacklisted).toBe(true);
    // What answers the replaced token again within the reuse interval: ids and a time, no token.
    expect(state.session).toMatchObject({
      refreshJti: to.jti,
      expiresAt: to.expiresAt,
      accessJti: to.accessJti,
      previousRefreshJti: from.jti,
      refreshedAt: to.issuedAt,
    });
    const listed = await store.repos.sessions.listLive(userId, new Date(), new Date(0), 100);
    expect(listed.sessions.find((s) => s.id === session.id)).toEqual({
      id: session.id,
      createdAt: session.createdAt,
      refreshedAt: to.issuedAt,
      ip: '198.51.100.4',
      userAgent: session.userAgent,
    });
  });

  it('When sessions end or expire, then they are no longer live, and only the owner’s are', async () => {
    const live = newSession(randomUUID());
    const ended = newSession(randomUUID());
    const expired = { ...newSession(randomUUID()), expiresAt: new Date(Date.now() - 1000) };
    const old = { ...newSession(randomUUID()), createdAt: new Date('2020-01-01T00:00:00.000Z') };
    for (const s of [live, ended, expired, old]) await store.repos.sessions.createSession(s);
    await store.repos.sessions.revokeSessions(userId, 'logout', [ended.id]);
    const now = new Date();
    const ids = (
      await store.repos.sessions.listLive(userId, now, new Date('2021-01-01'), 1000)
    ).sessions.map((s) => s.id);
    expect(ids).toContain(live.id);
    for (const gone of [ended, expired, old]) expect(ids).not.toContain(gone.id);
    const cutoff = new Date('2021-01-01');
    expect(await store.repos.sessions.isLive(userId, live.id, now, cutoff)).toBe(true);
    expect(await store.repos.sessions.isLive(userId + 1, live.id, now, cutoff)).toBe(false);
    expect(await store.repos.sessions.isLive(userId, ended.id, now, cutoff)).toBe(false);
  });
});

/** A trigger that makes the audit table refuse the record with this request id. */
async function refuseAuditInsert(requestId: string): Promise<void> {
  if (STACK_MODE === 'infra') {
    await dataSource.query(`
      CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.request_id = '${requestId}' THEN RAISE EXCEPTION 'refused by the test'; END IF;
        RETURN NEW;
      END $$`);
    await dataSource.query(`
      CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log
      FOR EACH ROW EXECUTE FUNCTION refuse_audit()`);
  } else {
    await dataSource.query(`
      CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log
      WHEN NEW.request_id = '${requestId}'
      BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`);
  }
}
