import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newRegistration } from '../../../test/support/factories.js';
import { startStack, type Stack } from '../../../test/support/stack.js';

const ADMIN = { login: 'auditor', password: 'AdminPass123!' };
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    ADMIN_LOGIN: ADMIN.login,
    ADMIN_EMAIL: 'auditor@example.com',
    ADMIN_PASSWORD: ADMIN.password,
  });
});
afterAll(async () => {
  await stack?.stop();
});

type AuditRow = Record<string, unknown>;
const auditLog = async () =>
  (await stack.authDb.query<AuditRow>('SELECT * FROM audit_log ORDER BY id')).rows;

describe('the audit trail', () => {
  it('When an account goes through its life, then each decision is recorded without a password or a token', async () => {
    const reg = newRegistration();
    const secrets: string[] = [reg.password, ADMIN.password];
    const registered = await stack.authApi.post('/register', reg);
    const pair = registered.body.token_pair;
    const userId = registered.body.user.id as number;
    const admin = await stack.authApi.post('/login', ADMIN);
    const adminToken = admin.body.token_pair.access_token.token as string;
    const wrong = 'WrongPass123!';
    secrets.push(wrong);
    await stack.authApi.post('/login', { login: reg.login, password: wrong });
    const rotated = await stack.authApi.post('/refresh', {
      refresh_token: pair.refresh_token.token,
    });
    await stack.authApi.post('/refresh', { refresh_token: pair.refresh_token.token });
    const again = await stack.authApi.post('/login', { login: reg.login, password: reg.password });
    await stack.authApi.post('/logout', undefined, {
      token: again.body.token_pair.access_token.token,
    });
    await stack.authApi.send('PUT', `/users/${userId}/roles/support`, undefined, {
      token: adminToken,
    });
    await stack.authApi.post(`/account-delete/${userId}`, undefined, { token: adminToken });
    for (const body of [pair, rotated.body, again.body.token_pair, admin.body.token_pair]) {
      secrets.push(body.access_token.token, body.refresh_token.token);
    }

    const rows = await auditLog();
    const mine = rows.filter((r) => Number(r.user_id) === userId);
    expect(mine.map((r) => r.action)).toEqual(
      expect.arrayContaining([
        'refresh_token_reuse',
        'logout',
        'role_granted',
        'account_deactivated',
      ]),
    );
    for (const row of mine.filter((r) => r.action !== 'login')) {
      expect(row.request_id, String(row.action)).toEqual(expect.any(String));
      expect(row.ip, String(row.action)).toEqual(expect.any(String));
    }
    expect(mine.find((r) => r.action === 'account_deactivated')).toMatchObject({
      outcome: 'success',
      reason: 'admin',
    });
    const everything = JSON.stringify(rows);
    for (const secret of secrets) expect(everything).not.toContain(secret);
  });

  it('When a record is changed or deleted, then the database refuses: the table is append-only', async () => {
    const before = await auditLog();
    expect(before.length).toBeGreaterThan(0);
    await expect(stack.authDb.query("UPDATE audit_log SET reason = 'forged'")).rejects.toThrow(
      /append-only/,
    );
    await expect(stack.authDb.query('DELETE FROM audit_log')).rejects.toThrow(/append-only/);
    expect(await auditLog()).toEqual(before);
  });
});
