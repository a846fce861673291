import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContractChecker } from '../../../test/support/contract.js';
import { registeredUser } from '../../../test/support/events.js';
import { startStack, type Stack } from '../../../test/support/stack.js';

// Two tabs, or a request retried after a lost answer, refresh with one token at once: within the
// reuse interval each of them gets the one successor, and the session lives on.

const contract = new ContractChecker('auth.yaml');
const INTERVAL_SECONDS = 5;
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ REFRESH_REUSE_INTERVAL_SECONDS: String(INTERVAL_SECONDS) });
});
afterAll(async () => {
  await stack?.stop();
});

const refresh = async (token: string) => {
  const res = await stack.authApi.post('/refresh', { refresh_token: token });
  contract.check('refresh', res);
  return res;
};
const sid = (jwt: string) =>
  (JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as { sid: string }).sid;
/** A timestamp as each database stores it (TypeORM keeps SQLite datetimes as UTC text). */
const sqlTime = (date: Date) =>
  stack.mode === 'infra' ? date.toISOString() : date.toISOString().replace('T', ' ').slice(0, -1);
/** Moves the session's last rotation `ms` into the past, as if that long had gone by. */
const ageRotation = (sessionId: string, ms: number) =>
  stack.authDb.query('UPDATE sessions SET refreshed_at = ? WHERE id = ?', [
    sqlTime(new Date(Date.now() - ms)),
    sessionId,
  ]);
const reuseAudits = async (userId: number) =>
  Number(
    (
      await stack.authDb.query<{ n: unknown }>(
        "SELECT COUNT(*) AS n FROM audit_log WHERE user_id = ? AND action = 'refresh_token_reuse'",
        [userId],
      )
    ).rows[0]!.n,
  );
async function refreshCounts(): Promise<Record<string, number>> {
  const text = await (await fetch(`${stack.authApi.baseUrl}/metrics`)).text();
  const count = (outcome: string) =>
    Number(
      text
        .split('\n')
        .find((l) => l.startsWith(`auth_refreshes_total{outcome="${outcome}"}`))
        ?.split(' ')[1] ?? NaN,
    );
  return { rotated: count('rotated'), reissued: count('reissued'), reuse: count('reuse_detected') };
}

describe('the refresh reuse interval', () => {
  it('When 20 refreshes with one token race, then all 20 get the same new pair and the session lives on', async () => {
    const account = await registeredUser(stack);
    const before = await refreshCounts();
    const results = await Promise.all(Array.from({ length: 20 }, () => refresh(account.refresh)));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    const [first] = results;
    for (const res of results) {
      expect(res.body.refresh_token).toEqual(first!.body.refresh_token);
      expect(res.body.access_token).toEqual(first!.body.access_token);
    }
    const after = await refreshCounts();
    expect(after).toEqual({
      rotated: before.rotated! + 1,
      reissued: before.reissued! + 19,
      reuse: before.reuse,
    });
    expect(await reuseAudits(account.id)).toBe(0);

    const access = first!.body.access_token.token as string;
    expect((await stack.userApi.get('/profile', { token: access })).status).toBe(200);
    const next = await refresh(first!.body.refresh_token.token as string);
    expect(next.status).toBe(200);
    expect(next.body.refresh_token.token).not.toBe(first!.body.refresh_token.token);
  });

  it('When the rotated token comes again within the interval, then it gets the same pair; after the interval, the session ends in both services', async () => {
    const account = await registeredUser(stack);
    const rotated = await refresh(account.refresh);
    expect(rotated.status).toBe(200);
    const again = await refresh(account.refresh);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(rotated.body);

    await ageRotation(sid(account.refresh), INTERVAL_SECONDS * 1000 + 1000);
    const late = await refresh(account.refresh);
    expect(late.status).toBe(401);
    expect(late.body.detail).toBe(
      'The refresh token has already been used; the session has been ended.',
    );
    expect(await reuseAudits(account.id)).toBe(1);
    await stack.settle();
    const successor = rotated.body;
    expect((await refresh(successor.refresh_token.token)).status).toBe(401);
    expect(
      (await stack.userApi.get('/profile', { token: successor.access_token.token })).status,
    ).toBe(401);
  });

  it('When the successor has been used and the old token comes within the interval, then it is reuse and the session ends', async () => {
    const account = await registeredUser(stack);
    const first = await refresh(account.refresh);
    const second = await refresh(first.body.refresh_token.token);
    expect([first.status, second.status]).toEqual([200, 200]);

    const replay = await refresh(account.refresh);
    expect(replay.status).toBe(401);
    expect(replay.body.detail).toBe(
      'The refresh token has already been used; the session has been ended.',
    );
    expect(await reuseAudits(account.id)).toBe(1);
    await stack.settle();
    expect((await refresh(second.body.refresh_token.token)).status).toBe(401);
    expect(
      (await stack.userApi.get('/profile', { token: second.body.access_token.token })).status,
    ).toBe(401);
  });

  it('When the session has ended, then the rotated token gets no successor within the interval either', async () => {
    const account = await registeredUser(stack);
    const rotated = await refresh(account.refresh);
    const logout = await stack.authApi.post('/logout', undefined, {
      token: rotated.body.access_token.token,
    });
    expect(logout.status).toBe(204);
    const replay = await refresh(account.refresh);
    expect(replay.status).toBe(401);
    expect(replay.body.detail).toBe('The session has ended.');
  });
});
