import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContractChecker } from '../../../test/support/contract.js';
import { newRegistration } from '../../../test/support/factories.js';
import {
  metricValue,
  parseSamples,
  promtoolProblems,
  requireBinary,
  scrape,
} from '../../../test/support/metrics.js';
import { pollUntil, startStack, type Stack } from '../../../test/support/stack.js';
import { expiredToken } from '../../../test/support/tokens.js';

const contract = new ContractChecker('auth.yaml');
const ADMIN = { login: 'metrics_admin', password: 'AdminPass123!' };
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    ADMIN_LOGIN: ADMIN.login,
    ADMIN_EMAIL: 'metrics_admin@example.com',
    ADMIN_PASSWORD: ADMIN.password,
  });
  // The administrator's Register event is out before the first test takes its baseline.
  await stack.settle();
});
afterAll(async () => {
  await stack?.stop();
});

const metrics = () => scrape(stack.authApi.baseUrl);

/** How much each series moved between two scrapes. */
const changes =
  (before: string, after: string) =>
  (name: string, labels = {}) =>
    (metricValue(after, name, labels) ?? 0) - (metricValue(before, name, labels) ?? 0);

const post = async (operationId: string, path: string, body?: unknown, token?: string) => {
  const res = await stack.authApi.post(path, body, token ? { token } : {});
  contract.check(operationId, res);
  return res;
};

describe('GET /metrics (auth service)', () => {
  it('When users register, log in and refresh, then the auth counters move under their labels', async () => {
    const before = await metrics();
    const alice = newRegistration();
    const registered = await post('register', '/register', alice);
    expect(registered.status).toBe(201);
    expect((await post('register', '/register', alice)).status).toBe(409);
    const weak = newRegistration({ password: 'weakpass' });
    expect((await post('register', '/register', weak)).status).toBe(422);
    const badEmail = newRegistration({ email: 'not-an-email' });
    expect((await post('register', '/register', badEmail)).status).toBe(422);

    const wrong = { login: alice.login, password: 'WrongPass123!' };
    expect((await post('login', '/login', wrong)).status).toBe(401);
    const unknown = { login: 'nobody_here', password: alice.password };
    expect((await post('login', '/login', unknown)).status).toBe(401);
    const login = await post('login', '/login', { login: alice.login, password: alice.password });
    expect(login.status).toBe(200);

    const stolen = login.body.token_pair.refresh_token.token as string;
    const rotated = await post('refresh', '/refresh', { refresh_token: stolen });
    expect(rotated.status).toBe(200);
    expect((await post('refresh', '/refresh', { refresh_token: stolen })).status).toBe(401);
    // The reuse ended the session, so the pair it handed out is dead too.
    const afterReuse = { refresh_token: rotated.body.refresh_token.token };
    expect((await post('refresh', '/refresh', afterReuse)).status).toBe(401);
    const expired = { refresh_token: await expiredToken(stack, stolen) };
    expect((await post('refresh', '/refresh', expired)).status).toBe(401);

    const pair = registered.body.token_pair;
    const logout = await post(
      'logout',
      '/logout',
      { refresh_token: pair.refresh_token.token },
      pair.access_token.token,
    );
    expect(logout.status).toBe(204);
    await stack.settle();

    const after = await metrics();
    const change = changes(before, after);
    expect({
      created: change('auth_registrations_total', { result: 'created' }),
      conflict: change('auth_registrations_total', { result: 'conflict' }),
      invalid: change('auth_registrations_total', { result: 'invalid' }),
    }).toEqual({ created: 1, conflict: 1, invalid: 2 });
    expect({
      ok: change('auth_logins_total', { result: 'success', reason: 'ok' }),
      wrongPassword: change('auth_logins_total', { result: 'failure', reason: 'wrong_password' }),
      unknownLogin: change('auth_logins_total', { result: 'failure', reason: 'unknown_login' }),
      inactive: change('auth_logins_total', { result: 'failure', reason: 'account_inactive' }),
    }).toEqual({ ok: 1, wrongPassword: 1, unknownLogin: 1, inactive: 0 });
    // Register, login and the one successful refresh each hand out a pair.
    expect(change('auth_tokens_issued_total', { type: 'access' })).toBe(3);
    expect(change('auth_tokens_issued_total', { type: 'refresh' })).toBe(3);
    expect({
      rotated: change('auth_refreshes_total', { outcome: 'rotated' }),
      reuse: change('auth_refreshes_total', { outcome: 'reuse_detected' }),
      revoked: change('auth_refreshes_total', { outcome: 'revoked' }),
      expired: change('auth_refreshes_total', { outcome: 'expired' }),
      invalid: change('auth_refreshes_total', { outcome: 'invalid' }),
    }).toEqual({ rotated: 1, reuse: 1, revoked: 1, expired: 1, invalid: 0 });
    expect({
      reuse: change('auth_revocations_total', { reason: 'refresh_token_reuse' }),
      logout: change('auth_revocations_total', { reason: 'logout' }),
      deactivation: change('auth_revocations_total', { reason: 'deactivation' }),
    }).toEqual({ reuse: 1, logout: 1, deactivation: 0 });
    expect(change('auth_events_published_total', { type: 'Register' })).toBe(1);
    // The rotated refresh token, and logout's access and refresh tokens.
    expect(change('auth_blacklist_size')).toBe(3);
    expect(metricValue(after, 'auth_outbox_pending_events')).toBe(0);
    expect(metricValue(after, 'auth_outbox_oldest_pending_age_seconds')).toBe(0);
    // One hash (the registration); three checks (wrong password, the unknown login's decoy, success).
    const hashing = (operation: string) =>
      change('auth_password_hash_duration_seconds_count', { operation });
    expect({ hash: hashing('hash'), verify: hashing('verify') }).toEqual({ hash: 1, verify: 3 });
    expect(
      change('http_request_duration_seconds_count', {
        method: 'POST',
        route: '/register',
        status: '422',
      }),
    ).toBe(2);
  });

  it('When an administrator deactivates an account by id, then the route label is the path template', async () => {
    const admin = await post('login', '/login', ADMIN);
    expect(admin.status).toBe(200);
    const victim = newRegistration();
    const registered = await post('register', '/register', victim);
    expect(registered.status).toBe(201);
    const id = registered.body.user.id as number;
    const before = await metrics();

    const res = await post(
      'deactivateAccount',
      `/account-delete/${id}`,
      undefined,
      admin.body.token_pair.access_token.token,
    );
    expect(res.status).toBe(200);
    const refused = await post('login', '/login', {
      login: victim.login,
      password: victim.password,
    });
    expect(refused.status).toBe(403);
    expect((await stack.authApi.get('/no-such-path')).status).toBe(404);
    expect((await stack.authApi.send('DELETE', '/login')).status).toBe(405);
    const malformed = await stack.authApi.post('/register', undefined, {
      raw: '{"login": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(malformed.status).toBe(400);

    const after = await metrics();
    const change = changes(before, after);
    const requests = (route: string, status: string, method = 'POST') =>
      change('http_request_duration_seconds_count', { method, route, status });
    expect(requests('/account-delete/{user_id}', '200')).toBe(1);
    expect(requests('unmatched', '404', 'GET')).toBe(1);
    expect(requests('/login', '405', 'DELETE')).toBe(1);
    expect(requests('/register', '400')).toBe(1);
    const routes = new Set(
      parseSamples(after)
        .map((s) => s.labels.route)
        .filter(Boolean),
    );
    expect([...routes].filter((r) => /\d/.test(r!) || r === '/no-such-path')).toEqual([]);
    expect(change('auth_revocations_total', { reason: 'deactivation' })).toBe(1);
    expect(change('auth_logins_total', { result: 'failure', reason: 'account_inactive' })).toBe(1);
  });

  it('When /metrics is read, then it holds this service and process metrics only, and it is not an operation of the contract', async () => {
    const text = await metrics();
    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
    expect(text).not.toMatch(/^user_events_/m);
    await pollUntil(
      async () =>
        (metricValue(await metrics(), 'auth_cleanup_runs_total', { result: 'success' }) ?? 0) >= 1,
      () => 'the cleanup timer run at start-up never showed in auth_cleanup_runs_total',
      10_000,
      100,
    );
    const spec = await stack.authApi.get('/openapi.json');
    expect(Object.keys(spec.body.paths)).not.toContain('/metrics');
  });

  it.runIf(requireBinary('promtool'))(
    'When the exposition is linted by promtool, then it passes (but for the three allowed prom-client gauges)',
    async () => {
      expect(await promtoolProblems(await metrics())).toEqual([]);
    },
  );
});
