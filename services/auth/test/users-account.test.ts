import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientIps } from '../../../test/support/client-ips.js';
import { ContractChecker } from '../../../test/support/contract.js';
import { ADMIN, ADMIN_ENV, logIn, register, withRole } from '../../../test/support/operators.js';
import { addPasskey, newAuthenticator } from '../../../test/support/passkeys.js';
import { totpCodes } from '../../../test/support/second-factor.js';
import { startStack, type Stack } from '../../../test/support/stack.js';

// Small thresholds and long enough locks; each client is an X-Forwarded-For address (one proxy hop).
const LIMITS = {
  ...ADMIN_ENV,
  TRUST_PROXY_HOPS: '1',
  LOGIN_MAX_FAILURES_PER_ACCOUNT: '3',
  LOGIN_MAX_FAILURES_PER_ACCOUNT_IP: '2',
  LOGIN_MAX_FAILURES_PER_IP: '5',
  LOGIN_LOCK_MAX_SECONDS: '30',
  LOGIN_FAILURE_WINDOW_MINUTES: '10',
  CHALLENGE_AFTER_FAILURES: '0',
};
const WRONG = 'WrongPass123!';
const contract = new ContractChecker('auth.yaml');
const { newIp, from } = clientIps(16);
let stack: Stack;
let admin: { id: number; token: string };

beforeAll(async () => {
  stack = await startStack(LIMITS);
  admin = await logIn(stack, ADMIN.login, ADMIN.password);
});
afterAll(async () => {
  await stack?.stop();
});

const getUser = async (id: number | string, token = admin.token) => {
  const res = await stack.authApi.get(`/users/${id}`, { token });
  contract.check('getUser', res);
  return res;
};
const liftLockout = async (id: number, token = admin.token) => {
  const res = await stack.authApi.send('DELETE', `/users/${id}/lockout`, undefined, { token });
  contract.check('liftLockout', res);
  return res;
};
const attempt = async (login: string, password: string, ip: string) => {
  const res = await stack.authApi.post('/login', { login, password }, from(ip));
  contract.check('login', res);
  return res.status;
};
const sleep = (seconds: number) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

describe('GET /users/{user_id}', () => {
  it('When an operator looks an account up, then it sees its roles, address, factors, lock and live sessions', async () => {
    const account = await register(stack);
    const second = await logIn(stack, account.login, account.password);
    await logIn(stack, account.login, account.password);
    const logout = await stack.authApi.post('/logout', undefined, { token: second.token });
    expect(logout.status).toBe(204);

    const res = await getUser(account.id);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: account.id,
      login: account.login,
      email: account.email,
      is_active: true,
      email_verified: false,
      locale: 'en',
      roles: ['user'],
      created_at: expect.any(String),
      factors: [],
      lock: { failures: 0, locked: false, locked_until: null },
      sessions: { active: 2 },
    });
    expect(Math.abs(Date.parse(res.body.created_at) - Date.now())).toBeLessThan(60_000);

    const verified = await stack.authApi.send(
      'PUT',
      `/users/${account.id}/email-verified`,
      undefined,
      { token: admin.token },
    );
    expect(verified.status).toBe(200);
    expect((await getUser(account.id)).body.email_verified).toBe(true);
  });

  it('When the account has an authenticator app and a passkey, then the operator sees both factors, oldest first, and no secret', async () => {
    const account = await register(stack);
    const owner = { token: account.token, password: account.password };
    const enrolment = await stack.authApi.post('/mfa/totp', { password: account.password }, owner);
    expect(enrolment.status).toBe(201);
    const { previous } = await totpCodes(enrolment.body.secret as string);
    const confirm = await stack.authApi.post('/mfa/totp/confirm', { code: previous }, owner);
    expect(confirm.status).toBe(200);
    await addPasskey(stack.authApi, owner, newAuthenticator());

    const res = await getUser(account.id);
    expect(res.status).toBe(200);
    expect(res.body.factors.map((f: { type: string }) => f.type)).toEqual(['totp', 'webauthn']);
    expect(JSON.stringify(res.body)).not.toContain(enrolment.body.secret as string);
  });

  it('When the id is unknown or not written canonically, then the answer is 404 or 422', async () => {
    expect((await getUser(9_000_000)).status).toBe(404);
    for (const id of ['0019', '+19', '19e0', '0x13']) {
      const res = await getUser(id);
      expect(res.status, id).toBe(422);
    }
  });

  it('When support staff ask, then they see the account; a plain user gets 403', async () => {
    const account = await register(stack);
    const support = await withRole(stack, admin.token, 'support');
    expect((await getUser(account.id, support.token)).status).toBe(200);
    expect((await getUser(support.id, account.token)).status).toBe(403);
  });
});

describe('DELETE /users/{user_id}/lockout', () => {
  it("When an operator lifts an account's lockout, then its own and its per-address counters are forgotten, while an address's own lock stays", async () => {
    const account = await register(stack);
    const [home, shared] = [newIp(), newIp()];
    // Failures of the account from `home` (its per-address counter locks first), and failures of
    // unknown logins from `shared` until that address is locked; each round escalates the locks.
    const round = async (accountFailures: number, sharedFailures: number) => {
      for (let i = 0; i < accountFailures; i++) await attempt(account.login, WRONG, home);
      for (let i = 0; i < sharedFailures; i++) {
        await attempt(`ghost_${Math.random().toString(36).slice(2)}`, WRONG, shared);
      }
    };
    await round(2, 5);
    await sleep(1.1);
    await round(1, 1);
    await sleep(2.1);
    await round(1, 1);

    const before = (await getUser(account.id)).body;
    expect(before.lock).toMatchObject({ failures: 4, locked: true });
    expect(Date.parse(before.lock.locked_until)).toBeGreaterThan(Date.now());
    expect(await attempt(account.login, account.password, home)).toBe(429);

    const support = await withRole(stack, admin.token, 'support');
    expect((await liftLockout(account.id, support.token)).status).toBe(403);
    expect((await liftLockout(account.id)).status).toBe(204);

    expect((await getUser(account.id)).body.lock).toEqual({
      failures: 0,
      locked: false,
      locked_until: null,
    });
    expect(await attempt(account.login, account.password, home)).toBe(200);
    // The shared address's own lock is no account's to lift.
    expect(await attempt(account.login, account.password, shared)).toBe(429);

    const audit = await stack.authDb.query<{ actor_id: unknown; details: string }>(
      "SELECT actor_id, details FROM audit_log WHERE action = 'lockout_lifted' AND user_id = ?",
      [account.id],
    );
    expect(audit.rows.map((r) => Number(r.actor_id))).toEqual([admin.id]);
    expect(JSON.parse(audit.rows[0]!.details)).toEqual({ failures: 4, was_locked: true });
  });

  it('When the account is unknown, then the answer is 404', async () => {
    expect((await liftLockout(9_000_001)).status).toBe(404);
  });
});
