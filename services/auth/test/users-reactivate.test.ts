import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContractChecker } from '../../../test/support/contract.js';
import { ADMIN, ADMIN_ENV, logIn, register, withRole } from '../../../test/support/operators.js';
import { startStack, type Stack } from '../../../test/support/stack.js';

const contract = new ContractChecker('auth.yaml');
let stack: Stack;
let admin: { id: number; token: string };

beforeAll(async () => {
  stack = await startStack(ADMIN_ENV);
  admin = await logIn(stack, ADMIN.login, ADMIN.password);
});
afterAll(async () => {
  await stack?.stop();
});

const reactivate = async (id: number | string, token = admin.token) => {
  const res = await stack.authApi.post(`/users/${id}/reactivate`, undefined, { token });
  contract.check('reactivateAccount', res);
  return res;
};
const deactivate = async (id: number) => {
  const res = await stack.authApi.post(`/account-delete/${id}`, undefined, { token: admin.token });
  expect(res.status).toBe(200);
  await stack.settle();
};
const profileStatus = async (token: string) =>
  (await stack.userApi.get('/profile', { token })).status;
const countOf = async (sql: string, id: number) =>
  Number((await stack.authDb.query<{ n: unknown }>(sql, [id])).rows[0]!.n);
const reactivationEvents = (id: number) =>
  countOf(
    "SELECT COUNT(*) AS n FROM outbox WHERE event_type = 'Account Reactivate' AND aggregate_id = ?",
    id,
  );
const reactivationRecords = (id: number) =>
  countOf(
    "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'account_reactivated' AND user_id = ?",
    id,
  );

describe('POST /users/{user_id}/reactivate', () => {
  it('When an administrator reactivates a deactivated account, then it logs in again and its profile is active in the user service; audited', async () => {
    const account = await register(stack);
    await stack.settle();
    await deactivate(account.id);
    const refused = await stack.authApi.post('/login', {
      login: account.login,
      password: account.password,
    });
    expect(refused.status).toBe(403);

    const res = await reactivate(account.id);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: account.id, login: account.login, is_active: true });
    await stack.settle();

    const again = await logIn(stack, account.login, account.password);
    expect(await profileStatus(again.token)).toBe(200);
    // The sessions the deactivation ended stay ended.
    expect(await profileStatus(account.token)).toBe(401);
    const audit = await stack.authDb.query<{ actor_id: unknown; reason: string }>(
      "SELECT actor_id, reason FROM audit_log WHERE action = 'account_reactivated' AND user_id = ?",
      [account.id],
    );
    expect(audit.rows.map((r) => [Number(r.actor_id), r.reason])).toEqual([[admin.id, 'admin']]);

    // The reactivation names the deactivation it undoes, so the user service cannot apply the two
    // out of order.
    const events = await stack.authDb.query<{
      message_id: string;
      event_type: string;
      payload: string;
    }>(
      `SELECT message_id, event_type, payload FROM outbox
        WHERE aggregate_id = ? AND event_type IN ('Account Deactivate', 'Account Reactivate')
        ORDER BY id`,
      [account.id],
    );
    const [deactivation, reactivation] = events.rows;
    expect(events.rows.map((e) => e.event_type)).toEqual([
      'Account Deactivate',
      'Account Reactivate',
    ]);
    expect(JSON.parse(reactivation!.payload)).toEqual({
      event_type: 'Account Reactivate',
      auth_id: account.id,
      is_active: true,
      deactivation_id: deactivation!.message_id,
    });
  });

  it('When the account is active already, then the answer is 200 and nothing is written', async () => {
    const account = await register(stack);
    const res = await reactivate(account.id);
    expect(res.status).toBe(200);
    expect(res.body.is_active).toBe(true);
    expect(await reactivationEvents(account.id)).toBe(0);
    expect(await reactivationRecords(account.id)).toBe(0);
  });

  it('When an account is deactivated and reactivated twice over, then the profile ends active, one event per change', async () => {
    const account = await register(stack);
    await stack.settle();
    for (let i = 0; i < 2; i++) {
      await deactivate(account.id);
      expect((await reactivate(account.id)).status).toBe(200);
      expect((await reactivate(account.id)).status).toBe(200);
    }
    await stack.settle();
    expect(await reactivationEvents(account.id)).toBe(2);
    const session = await logIn(stack, account.login, account.password);
    expect(await profileStatus(session.token)).toBe(200);
  });

  it('When support staff, a plain user or no one asks, or the account is unknown, then the answer is 403, 401 or 404', async () => {
    const account = await register(stack);
    const support = await withRole(stack, admin.token, 'support');
    expect((await reactivate(account.id, support.token)).status).toBe(403);
    expect((await reactivate(account.id, account.token)).status).toBe(403);
    const anonymous = await stack.authApi.post(`/users/${account.id}/reactivate`);
    contract.check('reactivateAccount', anonymous);
    expect(anonymous.status).toBe(401);
    expect((await reactivate(9_000_002)).status).toBe(404);
    expect((await reactivate('007')).status).toBe(422);
  });
});
