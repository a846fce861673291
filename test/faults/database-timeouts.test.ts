import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newRegistration } from '../support/factories.js';
import { client, type Client } from '../support/http-client.js';
import { startFaultStack, waitFor, type FaultStack } from './fault-stack.js';
import { TcpProxy } from './tcp-proxy.js';

// DATABASE_TIMEOUT_MS bounds what a request waits on the database, the wait for a pooled connection
// included, readiness too; and a login that ends in 503 because of the database leaves no trace on the
// brute-force counters (three such would otherwise make every login from the address need a
// challenge, five lock the account). Postgres is made slow three ways: a table the login reads
// locked, the throttle's table locked for writes, and the whole database frozen.

const TIMEOUT_MS = 1_000;
/** What a 503 may take beyond the timeout: the answer's own work and a loaded machine. */
const MARGIN_MS = 700;

let stack: FaultStack;
let proxy: TcpProxy;
let api: Client;
const account = newRegistration();

beforeAll(async () => {
  stack = await startFaultStack({
    env: {
      DATABASE_TIMEOUT_MS: String(TIMEOUT_MS),
      DATABASE_POOL_SIZE: '3',
      CHALLENGE_AFTER_FAILURES: '3',
      LOGIN_MAX_FAILURES_PER_ACCOUNT: '5',
      LOGIN_MAX_FAILURES_PER_ACCOUNT_IP: '5',
    },
    authDatabaseUrl: async (url) => {
      const proxied = await TcpProxy.before(url);
      proxy = proxied.proxy;
      return proxied.url;
    },
  });
  api = client(stack.auth!.url);
  expect((await api.post('/register', account)).status).toBe(201);
});
afterAll(async () => {
  proxy?.thaw();
  await stack?.stop();
  await proxy?.close();
});

const login = () => api.post('/login', { login: account.login, password: account.password });

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await work();
  return { value, ms: Date.now() - started };
}

/** `n` logins at once, each answered 503 within the bound. */
async function expectLoginsUnavailable(n: number): Promise<void> {
  const answers = await Promise.all(Array.from({ length: n }, () => timed(login)));
  for (const { value, ms } of answers) {
    expect(value.status).toBe(503);
    expect(value.body.type).toBe('urn:problem:service-unavailable');
    expect(ms).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
  }
}

/** The login failure counters: statements that ran on after their 503 (or counted before it) show here. */
async function counted(): Promise<{ key: string; failures: number }[]> {
  const { rows } = await stack.authDb.query<{ key: string; failures: number }>(
    "SELECT key, failures FROM login_throttle WHERE failures > 0 AND key LIKE 'login:%'",
  );
  return rows;
}

/** Holds `lock` on `table` from a connection of the test's own until `release` is called. */
async function lockTable(table: string, lock: string): Promise<() => Promise<void>> {
  const connection = await stack.authDb.connect();
  await connection.query('BEGIN');
  await connection.query(`LOCK TABLE ${table} IN ${lock} MODE`);
  return async () => {
    await connection.query('COMMIT');
    connection.release();
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function expectLoginWorks(): Promise<void> {
  await waitFor(
    'the service to answer again',
    async () => (await api.get('/readyz')).status === 200,
    15_000,
  );
  // No challenge (428) and no lock (429): the 503s were not counted as failures.
  const res = await login();
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

describe('a slow or frozen database', () => {
  it('When the account lookup waits on a lock, then logins get 503 within the timeout and count as no failure', async () => {
    const release = await lockTable('auth_info', 'ACCESS EXCLUSIVE');
    try {
      await expectLoginsUnavailable(3);
    } finally {
      await release();
    }
    await sleep(300);
    expect(await counted()).toEqual([]);
    await expectLoginWorks();
  });

  it('When the throttle cannot write, then logins get 503 within the timeout and their statements are cancelled, not run later', async () => {
    // SHARE ROW EXCLUSIVE lets the throttle read its counters and blocks its upserts.
    const release = await lockTable('login_throttle', 'SHARE ROW EXCLUSIVE');
    try {
      await expectLoginsUnavailable(3);
      // The server has had time to notice the clients gone and to time the statements out.
      await sleep(TIMEOUT_MS);
    } finally {
      await release();
    }
    await sleep(300);
    expect(await counted()).toEqual([]);
    await expectLoginWorks();
  });

  it('When the database freezes, then requests and /readyz get 503 within the timeout, also past the pool, and nothing sent meanwhile counts after the thaw', async () => {
    proxy.freeze();
    try {
      // More requests than the pool has connections: the later ones wait for a slot first.
      const [readiness, logins] = await Promise.all([
        Promise.all(Array.from({ length: 4 }, () => timed(() => api.get('/readyz')))),
        Promise.all(Array.from({ length: 4 }, () => timed(login))),
      ]);
      for (const { value, ms } of [...readiness, ...logins]) {
        expect(value.status).toBe(503);
        expect(ms).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
      }
      // Once more, now that the connections that were in use have been given up.
      await expectLoginsUnavailable(3);
    } finally {
      proxy.thaw();
    }
    await sleep(500);
    expect(await counted()).toEqual([]);
    await expectLoginWorks();
  });
});
