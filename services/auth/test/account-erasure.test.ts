import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContractChecker } from '../../../test/support/contract.js';
import { registerPayload } from '../../../test/support/events.js';
import { newRegistration } from '../../../test/support/factories.js';
import { metricValue, scrape } from '../../../test/support/metrics.js';
import { startStack, type Stack } from '../../../test/support/stack.js';

const ADMIN = { login: 'eraser', email: 'eraser@example.com', password: 'AdminPass123!' };
const contract = new ContractChecker('auth.yaml');
const userContract = new ContractChecker('user.yaml');
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    ADMIN_LOGIN: ADMIN.login,
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
  });
});
afterAll(async () => {
  await stack?.stop();
});

const signUp = async (overrides: Parameters<typeof newRegistration>[0] = {}) => {
  const reg = newRegistration(overrides);
  const res = await stack.authApi.post('/register', reg, {
    headers: { 'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0' },
  });
  contract.check('register', res);
  expect(res.status).toBe(201);
  return {
    reg,
    id: res.body.user.id as number,
    access: res.body.token_pair.access_token.token as string,
    refresh: res.body.token_pair.refresh_token.token as string,
  };
};

const eraseOwn = async (token: string | undefined, body: unknown) => {
  const res = await stack.authApi.send('DELETE', '/account', body, token ? { token } : {});
  contract.check('eraseOwnAccount', res);
  return res;
};

const eraseBy = async (token: string, userId: number) => {
  const res = await stack.authApi.send('DELETE', `/users/${userId}`, undefined, { token });
  contract.check('eraseAccount', res);
  return res;
};

const adminToken = async () => {
  const res = await stack.authApi.post('/login', {
    login: ADMIN.login,
    password: ADMIN.password,
  });
  expect(res.status).toBe(200);
  return res.body.token_pair.access_token.token as string;
};

const rows = async (sql: string, params: unknown[]) =>
  (await stack.authDb.query<Record<string, unknown>>(sql, params)).rows;
const count = async (db: Stack['authDb'], sql: string, params: unknown[]) =>
  Number((await db.query<{ n: number | string }>(sql, params)).rows[0]!.n);

/** How many rows of each table of the auth service still name the account. */
const leftOf = async (id: number, email: string) => ({
  account: await count(stack.authDb, 'SELECT COUNT(*) AS n FROM auth_info WHERE id = ?', [id]),
  roles: await count(stack.authDb, 'SELECT COUNT(*) AS n FROM user_roles WHERE user_id = ?', [id]),
  sessions: await count(stack.authDb, 'SELECT COUNT(*) AS n FROM sessions WHERE user_id = ?', [id]),
  mailTokens: await count(stack.authDb, 'SELECT COUNT(*) AS n FROM mail_tokens WHERE user_id = ?', [
    id,
  ]),
  mails: await count(
    stack.authDb,
    'SELECT COUNT(*) AS n FROM mail_queue WHERE lower(to_address) = ?',
    [email.toLowerCase()],
  ),
  resetRequests: await count(
    stack.authDb,
    'SELECT COUNT(*) AS n FROM password_reset_requests WHERE email_lower = ?',
    [email.toLowerCase()],
  ),
});

const profile = async (token: string) => {
  const res = await stack.userApi.get('/profile', { token });
  userContract.check('getProfile', res);
  return res;
};

const profileRows = (authId: number) =>
  count(stack.userDb, 'SELECT COUNT(*) AS n FROM user_profiles WHERE auth_id = ?', [authId]);

describe('DELETE /account', () => {
  it('When the password is wrong, then it gets 403 and nothing is erased', async () => {
    const { id, access } = await signUp();
    const res = await eraseOwn(access, { password: 'WrongPass123!' });
    expect(res.status).toBe(403);
    expect(res.body.type).toBe('urn:problem:wrong-password');
    expect((await stack.authApi.get('/sessions', { token: access })).status).toBe(200);
    expect(
      await count(stack.authDb, 'SELECT COUNT(*) AS n FROM auth_info WHERE id = ?', [id]),
    ).toBe(1);
    const [failure] = await rows(
      "SELECT reason FROM audit_log WHERE user_id = ? AND action = 'login' AND outcome = 'failure'",
      [id],
    );
    expect(failure).toMatchObject({ reason: 'wrong_password' });
  });

  it('When the password is right, then the account, its rows, its tokens and its profile are gone', async () => {
    const { reg, id, access, refresh } = await signUp();
    await stack.authApi.post('/password/forgot', { email: reg.email });
    const verification = await stack.authApi.post('/email/verification', undefined, {
      token: access,
    });
    expect(verification.status).toBe(202);
    await stack.settle();
    expect((await profile(access)).status).toBe(200);
    const before = await leftOf(id, reg.email);
    expect(before).toMatchObject({ account: 1, roles: 1, sessions: 1 });
    expect(before.mails).toBeGreaterThan(0);

    const res = await eraseOwn(access, { password: reg.password });
    expect(res.status).toBe(204);
    expect(await leftOf(id, reg.email)).toEqual({
      account: 0,
      roles: 0,
      sessions: 0,
      mailTokens: 0,
      mails: 0,
      resetRequests: 0,
    });

    const sessions = await stack.authApi.get('/sessions', { token: access });
    contract.check('listSessions', sessions);
    expect(sessions.status).toBe(401);
    const refreshed = await stack.authApi.post('/refresh', { refresh_token: refresh });
    contract.check('refresh', refreshed);
    expect(refreshed.status).toBe(401);
    const login = await stack.authApi.post('/login', { login: reg.login, password: reg.password });
    contract.check('login', login);
    expect(login.status).toBe(401);

    await stack.settle();
    const gone = await profile(access);
    expect(gone.status).toBe(401);
    expect(gone.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await profileRows(id)).toBe(0);
    expect(
      await count(stack.userDb, 'SELECT COUNT(*) AS n FROM erased_accounts WHERE auth_id = ?', [
        id,
      ]),
    ).toBe(1);
  });

  it('When the account is erased, then its login and email are free again at once, for a new id', async () => {
    const { reg, id, access } = await signUp();
    expect((await eraseOwn(access, { password: reg.password })).status).toBe(204);
    const again = await signUp({ login: reg.login, email: reg.email });
    expect(again.id).toBeGreaterThan(id);
    await stack.settle();
    expect((await profile(again.access)).status).toBe(200);
  });

  it('When a Register of the erased account arrives late or again, then no profile comes back', async () => {
    const { reg, id, access } = await signUp();
    await stack.settle();
    expect((await eraseOwn(access, { password: reg.password })).status).toBe(204);
    await stack.settle();
    await stack.publishRaw(registerPayload(id, reg.display_name));
    await stack.drained();
    expect(await profileRows(id)).toBe(0);
    expect((await profile(access)).status).toBe(401);
  });

  it('When the account is erased, then its audit records stay with a pseudonym instead of its login and addresses', async () => {
    const { reg, id, access } = await signUp();
    await stack.authApi.post('/login', { login: reg.login, password: 'WrongPass123!' });
    const before = await rows('SELECT id FROM audit_log WHERE user_id = ? ORDER BY id', [id]);
    expect(before.length).toBeGreaterThan(0);

    expect((await eraseOwn(access, { password: reg.password })).status).toBe(204);
    const after = await rows(
      'SELECT id, action, login, ip, request_id FROM audit_log WHERE user_id = ? ORDER BY id',
      [id],
    );
    expect(after.map((r) => Number(r.id))).toEqual(
      expect.arrayContaining(before.map((r) => Number(r.id))),
    );
    expect(after.at(-1)).toMatchObject({ action: 'account_erased' });
    const pseudonyms = new Set(after.map((r) => r.login).filter((login) => login !== null));
    expect(pseudonyms.size).toBe(1);
    expect([...pseudonyms][0]).toMatch(/^erased:[0-9a-f]{32}$/);
    for (const row of after) expect(row.ip, String(row.action)).toBeNull();
    expect(JSON.stringify(await rows('SELECT * FROM audit_log', []))).not.toContain(reg.login);
  });

  it('When the audit trail is changed otherwise, then the database still refuses', async () => {
    const erased = await signUp();
    expect((await eraseOwn(erased.access, { password: erased.reg.password })).status).toBe(204);
    const live = await signUp();
    await stack.authApi.post('/login', { login: live.reg.login, password: 'WrongPass123!' });
    const attempts: [string, unknown[]][] = [
      // Another column of an erased account's record.
      ["UPDATE audit_log SET reason = 'forged' WHERE user_id = ?", [erased.id]],
      ["UPDATE audit_log SET action = 'logout' WHERE user_id = ?", [erased.id]],
      // A pseudonym that is not one, on an erased account's record.
      ["UPDATE audit_log SET login = 'someone' WHERE user_id = ?", [erased.id]],
      // A pseudonym or a dropped address on the records of an account that exists.
      ["UPDATE audit_log SET login = 'erased:forged' WHERE user_id = ?", [live.id]],
      ['UPDATE audit_log SET ip = NULL WHERE user_id = ?', [live.id]],
      ['DELETE FROM audit_log WHERE user_id = ?', [erased.id]],
    ];
    const snapshot = await rows('SELECT * FROM audit_log ORDER BY id', []);
    for (const userId of [erased.id, live.id]) {
      expect(snapshot.filter((row) => Number(row.user_id) === userId).length).toBeGreaterThan(0);
    }
    for (const [sql, params] of attempts) {
      await expect(stack.authDb.query(sql, params), sql).rejects.toThrow(/append-only/);
    }
    expect(await rows('SELECT * FROM audit_log ORDER BY id', [])).toEqual(snapshot);
  });

  it('When the body is missing or wrong, then it gets a problem, not an erasure', async () => {
    const { id, access } = await signUp();
    expect((await eraseOwn(access, undefined)).status).toBe(422);
    expect((await eraseOwn(access, { password: '' })).status).toBe(422);
    expect((await eraseOwn(access, { password: 'x', extra: 1 })).status).toBe(422);
    expect((await eraseOwn(undefined, { password: 'x' })).status).toBe(401);
    expect(
      await count(stack.authDb, 'SELECT COUNT(*) AS n FROM auth_info WHERE id = ?', [id]),
    ).toBe(1);
  });

  it('When the last administrator erases itself, then it gets 409', async () => {
    const token = await adminToken();
    const res = await eraseOwn(token, { password: ADMIN.password });
    expect(res.status).toBe(409);
    expect((await stack.authApi.get('/sessions', { token })).status).toBe(200);
  });
});

describe('DELETE /users/{user_id}', () => {
  it('When an account without users:manage asks, then it gets 403 and nothing is erased', async () => {
    const caller = await signUp();
    const target = await signUp();
    const res = await eraseBy(caller.access, target.id);
    expect(res.status).toBe(403);
    expect(
      await count(stack.authDb, 'SELECT COUNT(*) AS n FROM auth_info WHERE id = ?', [target.id]),
    ).toBe(1);
  });

  it('When an administrator erases an account, then it is gone in both services and the record names the operator', async () => {
    const token = await adminToken();
    const target = await signUp();
    await stack.settle();
    const res = await eraseBy(token, target.id);
    expect(res.status).toBe(204);
    expect(await leftOf(target.id, target.reg.email)).toMatchObject({ account: 0, sessions: 0 });
    await stack.settle();
    expect(await profileRows(target.id)).toBe(0);
    expect((await profile(target.access)).status).toBe(401);
    const [record] = await rows(
      "SELECT reason, actor_id, ip, login FROM audit_log WHERE user_id = ? AND action = 'account_erased'",
      [target.id],
    );
    expect(record).toMatchObject({ reason: 'operator', ip: expect.any(String) });
    expect(Number(record!.actor_id)).toBeGreaterThan(0);
    expect(record!.login).toMatch(/^erased:/);

    expect((await eraseBy(token, target.id)).status).toBe(404);
  });

  it('When two erasures of one account race, then one erases it and the other finds it gone', async () => {
    const token = await adminToken();
    const target = await signUp();
    const answers = await Promise.all([eraseBy(token, target.id), eraseBy(token, target.id)]);
    expect(answers.map((res) => res.status).sort()).toEqual([204, 404]);
    const records = await rows(
      "SELECT login FROM audit_log WHERE user_id = ? AND action = 'account_erased'",
      [target.id],
    );
    expect(records).toHaveLength(1);
  });

  it('When the account is deactivated, then an operator can still erase it', async () => {
    const token = await adminToken();
    const target = await signUp();
    expect(
      (await stack.authApi.post('/account-delete', undefined, { token: target.access })).status,
    ).toBe(200);
    expect((await eraseBy(token, target.id)).status).toBe(204);
  });

  it('When the last administrator is the target, then it gets 409', async () => {
    const token = await adminToken();
    const [me] = await rows('SELECT id FROM auth_info WHERE login_lower = ?', [ADMIN.login]);
    const res = await eraseBy(token, Number(me!.id));
    expect(res.status).toBe(409);
  });

  it('When the id is no account or not an id, then it gets 404 or 422', async () => {
    const token = await adminToken();
    expect((await eraseBy(token, 999_999_999)).status).toBe(404);
    const bad = await stack.authApi.send('DELETE', '/users/abc', undefined, { token });
    expect(bad.status).toBe(422);
  });
});

describe('the erasure metrics', () => {
  it('When accounts are erased or a password is wrong, then the counters move under their labels', async () => {
    const erasures = (text: string, outcome: string) =>
      metricValue(text, 'auth_account_erasures_total', { outcome }) ?? 0;
    const revoked = (text: string) =>
      metricValue(text, 'auth_revocations_total', { reason: 'erasure' }) ?? 0;
    const before = await scrape(stack.authApi.baseUrl);
    const self = await signUp();
    expect((await eraseOwn(self.access, { password: 'WrongPass123!' })).status).toBe(403);
    expect((await eraseOwn(self.access, { password: self.reg.password })).status).toBe(204);
    const target = await signUp();
    expect((await eraseBy(await adminToken(), target.id)).status).toBe(204);
    const after = await scrape(stack.authApi.baseUrl);
    expect(erasures(after, 'self') - erasures(before, 'self')).toBe(1);
    expect(erasures(after, 'operator') - erasures(before, 'operator')).toBe(1);
    expect(erasures(after, 'wrong_password') - erasures(before, 'wrong_password')).toBe(1);
    expect(revoked(after) - revoked(before)).toBe(2);
  });
});
