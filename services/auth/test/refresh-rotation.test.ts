import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContractChecker } from '../../../test/support/contract.js';
import { registeredUser } from '../../../test/support/events.js';
import { startStack, type Stack } from '../../../test/support/stack.js';

const contract = new ContractChecker('auth.yaml');
const DAY = 86_400_000;
let stack: Stack;

beforeAll(async () => {
  // Without the reuse interval (0, as in every test but its own): every replay is reuse.
  stack = await startStack({
    SESSION_MAX_LIFETIME_DAYS: '30',
    REFRESH_REUSE_INTERVAL_SECONDS: '0',
  });
});
afterAll(async () => {
  await stack?.stop();
});

const refresh = async (token: string) => {
  const res = await stack.authApi.post('/refresh', { refresh_token: token });
  contract.check('refresh', res);
  return res;
};
const payload = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as {
    exp: number;
    sid: string;
  };
/** A timestamp as each database stores it (TypeORM keeps SQLite datetimes as UTC text). */
const sqlTime = (date: Date) =>
  stack.mode === 'infra' ? date.toISOString() : date.toISOString().replace('T', ' ').slice(0, -1);
const auditRows = async (userId: number, action: string) =>
  Number(
    (
      await stack.authDb.query<{ n: unknown }>(
        'SELECT COUNT(*) AS n FROM audit_log WHERE user_id = ? AND action = ?',
        [userId, action],
      )
    ).rows[0]!.n,
  );

describe('refresh rotation', () => {
  it('When 20 refreshes with one token race and the reuse interval is 0, then exactly one new pair is issued', async () => {
    const account = await registeredUser(stack);
    const results = await Promise.all(Array.from({ length: 20 }, () => refresh(account.refresh)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 401)).toHaveLength(19);
    // The 19 losers presented a token that had just been rotated: a copy, as far as the server can
    // tell, so the session ended (RFC 9700 §4.14.2) and each presentation was audited.
    expect(await auditRows(account.id, 'refresh_token_reuse')).toBeGreaterThanOrEqual(1);
    const winner = results.find((r) => r.status === 200)!.body;
    expect((await refresh(winner.refresh_token.token)).status).toBe(401);
  });

  it('When a rotated refresh token is presented again, then the whole session ends in both services, with an audit record and a metric', async () => {
    const account = await registeredUser(stack);
    const rotated = await refresh(account.refresh);
    expect(rotated.status).toBe(200);
    const fresh = rotated.body;
    expect((await stack.userApi.get('/profile', { token: fresh.access_token.token })).status).toBe(
      200,
    );
    const metricsBefore = await reuseCount();

    const replay = await refresh(account.refresh);
    expect(replay.status).toBe(401);
    expect(replay.body.detail).toBe(
      'The refresh token has already been used; the session has been ended.',
    );
    await stack.settle();
    // Every token of the chain: the newest refresh token and the newest access token.
    const next = await refresh(fresh.refresh_token.token);
    expect(next.status).toBe(401);
    expect(next.body.detail).toBe('The session has ended.');
    const logout = await stack.authApi.post('/logout', undefined, {
      token: fresh.access_token.token,
    });
    expect(logout.status).toBe(401);
    expect((await stack.userApi.get('/profile', { token: fresh.access_token.token })).status).toBe(
      401,
    );
    expect(await auditRows(account.id, 'refresh_token_reuse')).toBe(1);
    expect(await reuseCount()).toBe(metricsBefore + 1);
  });

  it('When a session has outlived its absolute lifetime, then refreshing it fails', async () => {
    const account = await registeredUser(stack);
    const { sid } = payload(account.refresh);
    await stack.authDb.query('UPDATE sessions SET created_at = ? WHERE id = ?', [
      sqlTime(new Date(Date.now() - 31 * DAY)),
      sid,
    ]);
    const res = await refresh(account.refresh);
    expect(res.status).toBe(401);
    expect(res.body.detail).toBe('The session has reached its maximum lifetime; log in again.');
  });

  it('When a session nears its absolute lifetime, then the tokens a refresh issues expire with it', async () => {
    const account = await registeredUser(stack);
    const { sid } = payload(account.refresh);
    const createdAt = new Date(Date.now() - 30 * DAY + 120_000);
    await stack.authDb.query('UPDATE sessions SET created_at = ? WHERE id = ?', [
      sqlTime(createdAt),
      sid,
    ]);
    const res = await refresh(account.refresh);
    expect(res.status).toBe(200);
    const end = Math.floor((createdAt.getTime() + 30 * DAY) / 1000);
    expect(payload(res.body.refresh_token.token).exp).toBe(end);
    expect(payload(res.body.access_token.token).exp).toBe(end);
  });
});

async function reuseCount(): Promise<number> {
  const text = await (await fetch(`${stack.authApi.baseUrl}/metrics`)).text();
  const line = text
    .split('\n')
    .find((l) => l.startsWith('auth_refreshes_total{outcome="reuse_detected"}'));
  return Number(line?.split(' ')[1] ?? NaN);
}
