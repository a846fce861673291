import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientIps } from '../../../test/support/client-ips.js';
import { ContractChecker } from '../../../test/support/contract.js';
import { newRegistration } from '../../../test/support/factories.js';
import { metricValue, scrape } from '../../../test/support/metrics.js';
import { startStack, type Stack } from '../../../test/support/stack.js';

// Small thresholds; each client is an X-Forwarded-For address the service trusts (one proxy hop).
const LIMITS = {
  TRUST_PROXY_HOPS: '1',
  LOGIN_MAX_FAILURES_PER_ACCOUNT: '4',
  LOGIN_MAX_FAILURES_PER_ACCOUNT_IP: '2',
  LOGIN_MAX_FAILURES_PER_IP: '6',
  LOGIN_LOCK_MAX_SECONDS: '2',
  LOGIN_FAILURE_WINDOW_MINUTES: '1',
  REGISTER_RATE_PER_IP: '3',
  REFRESH_RATE_PER_IP: '3',
  CHALLENGE_AFTER_FAILURES: '0',
};
const WRONG = 'WrongPass123!';
const contract = new ContractChecker('auth.yaml');
let stack: Stack;

beforeAll(async () => {
  stack = await startStack(LIMITS);
});
afterAll(async () => {
  await stack?.stop();
});

const { newIp, from } = clientIps(7);

const login = async (body: { login: string; password: string }, ip = newIp()) => {
  const res = await stack.authApi.post('/login', body, from(ip));
  contract.check('login', res);
  return res;
};

/** A new account, registered from an address of its own (registration is limited per address). */
const registerNew = async () => {
  const reg = newRegistration();
  const res = await stack.authApi.post('/register', reg, from(newIp()));
  expect(res.status).toBe(201);
  return { reg, user: res.body.user as { id: number }, tokens: res.body.token_pair };
};

const withoutRequestId = ({ request_id: _id, ...rest }: Record<string, unknown>) => rest;
const sleep = (seconds: number) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

const auditOf = async (login: string) =>
  (
    await stack.authDb.query<{ action: string; outcome: string; reason: string | null }>(
      'SELECT action, outcome, reason, user_id, details FROM audit_log WHERE login = ? ORDER BY id',
      [login],
    )
  ).rows;

describe('failed logins per account', () => {
  it('When a known and an unknown login fail 4 times, then both get the same 429 with Retry-After, even with the right password', async () => {
    const before = await scrape(stack.authApi.baseUrl);
    const { reg } = await registerNew();
    const unknown = `nobody_${reg.login}`;
    for (let i = 0; i < 4; i++) {
      const [known, other] = [
        await login({ login: reg.login, password: WRONG }),
        await login({ login: unknown, password: WRONG }),
      ];
      expect([known.status, other.status]).toEqual([401, 401]);
      expect(withoutRequestId(known.body)).toEqual(withoutRequestId(other.body));
    }
    const known = await login({ login: reg.login, password: reg.password });
    const other = await login({ login: unknown, password: reg.password });
    expect([known.status, other.status]).toEqual([429, 429]);
    expect(known.contentType).toMatch(/^application\/problem\+json/);
    expect(known.body.type).toBe('urn:problem:too-many-requests');
    expect(withoutRequestId(known.body)).toEqual(withoutRequestId(other.body));
    expect(known.headers.get('retry-after')).toBe('1');
    expect(other.headers.get('retry-after')).toBe('1');

    const after = await scrape(stack.authApi.baseUrl);
    // Every label set exists from the start, at 0 until it moves.
    for (const [operation, scope] of [
      ['register', 'ip'],
      ['refresh', 'ip'],
      ['login', 'account_ip'],
    ] as const) {
      expect(metricValue(before, 'auth_throttled_requests_total', { operation, scope })).toBe(0);
    }
    for (const outcome of ['issued', 'required', 'refused', 'solved']) {
      expect(metricValue(before, 'auth_challenges_total', { outcome })).toBe(0);
    }
    const moved = (name: string, labels: Record<string, string>) =>
      (metricValue(after, name, labels) ?? 0) - (metricValue(before, name, labels) ?? 0);
    expect(moved('auth_throttled_requests_total', { operation: 'login', scope: 'account' })).toBe(
      2,
    );
    expect(moved('auth_lockouts_total', { scope: 'account' })).toBe(2);
    // Replicas share the counters through Postgres; the embedded default keeps them in memory.
    const { rows } = await stack.authDb.query<{ n: unknown }>(
      'SELECT count(*) AS n FROM login_throttle WHERE key = ?',
      [`login:account:${reg.login.toLowerCase()}`],
    );
    expect(Number(rows[0]!.n)).toBe(stack.mode === 'infra' ? 1 : 0);

    const reasons = (rows: { action: string; reason: string | null }[]) =>
      rows.map((r) => `${r.action}:${r.reason}`);
    expect(reasons(await auditOf(reg.login))).toEqual([
      ...Array<string>(4).fill('login:wrong_password'),
      'lockout:account',
      'login:locked',
    ]);
    expect(reasons(await auditOf(unknown))).toEqual([
      ...Array<string>(4).fill('login:unknown_login'),
      'lockout:account',
      'login:locked',
    ]);
  });

  it('When the lock has passed, then the right password logs in, and the success starts the count again', async () => {
    const { reg, user } = await registerNew();
    for (let i = 0; i < 4; i++) await login({ login: reg.login, password: WRONG });
    const locked = await login({ login: reg.login, password: reg.password });
    expect(locked.status).toBe(429);
    await sleep(Number(locked.headers.get('retry-after')) + 0.1);
    const ok = await login({ login: reg.login, password: reg.password });
    expect(ok.status).toBe(200);
    // Had the success not reset the counter, the next failure would lock again.
    for (let i = 0; i < 3; i++) {
      expect((await login({ login: reg.login, password: WRONG })).status).toBe(401);
    }
    expect((await login({ login: reg.login, password: reg.password })).status).toBe(200);

    const rows = await stack.authDb.query<{ outcome: string; user_id: unknown; ip: string }>(
      "SELECT outcome, user_id, ip FROM audit_log WHERE action = 'login' AND user_id = ? ORDER BY id",
      [user.id],
    );
    expect(rows.rows.filter((r) => r.outcome === 'success')).toHaveLength(2);
    expect(rows.rows.every((r) => /^10\.\d+\.\d+\.7$/.test(r.ip))).toBe(true);
  });

  it('When 20 wrong passwords arrive at once, then exactly the 4 below the lock are checked and the rest get 429', async () => {
    const { reg } = await registerNew();
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => login({ login: reg.login, password: WRONG })),
    );
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(4);
    expect(statuses.filter((s) => s === 429)).toHaveLength(16);
  });
});

describe('failed logins per address', () => {
  it('When an account fails twice from one address, then that address is locked for it and another address is not', async () => {
    const { reg } = await registerNew();
    const ip = newIp();
    for (let i = 0; i < 2; i++) await login({ login: reg.login, password: WRONG }, ip);
    const same = await login({ login: reg.login, password: reg.password }, ip);
    expect(same.status).toBe(429);
    const other = await login({ login: reg.login, password: reg.password });
    expect(other.status).toBe(200);
  });

  it('When one address fails 6 times on different logins, then it is locked for every login and others are not', async () => {
    const { reg } = await registerNew();
    const ip = newIp();
    for (let i = 0; i < 6; i++) {
      expect(
        (await login({ login: `sprayed_${ip.replaceAll('.', '_')}_${i}`, password: WRONG }, ip))
          .status,
      ).toBe(401);
    }
    const blocked = await login({ login: reg.login, password: reg.password }, ip);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await login({ login: reg.login, password: reg.password })).status).toBe(200);
  });
});

describe('registration and refresh per address', () => {
  it('When one address registers 4 times in a minute, then the 4th gets 429 and another address still registers', async () => {
    const ip = newIp();
    for (let i = 0; i < 3; i++) {
      expect((await stack.authApi.post('/register', newRegistration(), from(ip))).status).toBe(201);
    }
    const refused = await stack.authApi.post('/register', newRegistration(), from(ip));
    contract.check('register', refused);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect((await stack.authApi.post('/register', newRegistration(), from(newIp()))).status).toBe(
      201,
    );
  });

  it('When one address refreshes 4 times in a minute, then the 4th gets 429 before the token is touched', async () => {
    const { tokens } = await registerNew();
    const ip = newIp();
    let token = tokens.refresh_token.token as string;
    for (let i = 0; i < 3; i++) {
      const res = await stack.authApi.post('/refresh', { refresh_token: token }, from(ip));
      expect(res.status).toBe(200);
      token = res.body.refresh_token.token;
    }
    const refused = await stack.authApi.post('/refresh', { refresh_token: token }, from(ip));
    contract.check('refresh', refused);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // The refused request neither rotated nor burnt the token.
    const elsewhere = await stack.authApi.post('/refresh', { refresh_token: token }, from(newIp()));
    expect(elsewhere.status).toBe(200);
  });
});

describe('the audit trail', () => {
  it('When logins fail, lock and succeed, then no password is written to audit_log', async () => {
    const { reg } = await registerNew();
    for (let i = 0; i < 5; i++) await login({ login: reg.login, password: WRONG });
    const rows = await stack.authDb.query('SELECT * FROM audit_log');
    expect(rows.rows.length).toBeGreaterThan(0);
    const text = JSON.stringify(rows.rows);
    for (const secret of [WRONG, reg.password]) expect(text).not.toContain(secret);
  });
});

describe('the NIST cap of 100 consecutive failures', () => {
  let capped: Stack;
  beforeAll(async () => {
    capped = await startStack({
      TRUST_PROXY_HOPS: '1',
      LOGIN_MAX_FAILURES_PER_ACCOUNT: '100',
      LOGIN_LOCK_MAX_SECONDS: '1',
      LOGIN_FAILURE_WINDOW_MINUTES: '2',
    });
  });
  afterAll(async () => {
    await capped?.stop();
  });

  it('When an account fails 100 times, then it is locked for its whole window, not the 1 s backoff', async () => {
    const login = `capped_${Date.now()}`;
    for (let batch = 0; batch < 10; batch++) {
      const answers = await Promise.all(
        Array.from({ length: 10 }, () =>
          capped.authApi.post('/login', { login, password: WRONG }, from(newIp())),
        ),
      );
      expect(answers.map((r) => r.status)).toEqual(Array<number>(10).fill(401));
    }
    const locked = await capped.authApi.post('/login', { login, password: WRONG }, from(newIp()));
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(100);
    const { rows } = await capped.authDb.query<{ details: string }>(
      "SELECT details FROM audit_log WHERE action = 'lockout' AND login = ?",
      [login],
    );
    expect(rows.map((r) => JSON.parse(r.details) as unknown)).toEqual([
      { failures: 100, lock_seconds: 120 },
    ]);
  });
});
