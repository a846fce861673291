import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContractChecker } from '../../../test/support/contract.js';
import { registeredUser } from '../../../test/support/events.js';
import { startStack, type Stack } from '../../../test/support/stack.js';

const contract = new ContractChecker('auth.yaml');
const ADMIN = { login: 'admin', password: 'AdminPass123!' };
let stack: Stack;
let admin: { id: number; token: string };

beforeAll(async () => {
  stack = await startStack({
    ADMIN_LOGIN: ADMIN.login,
    ADMIN_EMAIL: 'admin@example.com',
    ADMIN_PASSWORD: ADMIN.password,
  });
  admin = await logIn(ADMIN.login, ADMIN.password);
});
afterAll(async () => {
  await stack?.stop();
});

async function logIn(login: string, password: string) {
  const res = await stack.authApi.post('/login', { login, password });
  contract.check('login', res);
  expect(res.status).toBe(200);
  return {
    id: res.body.user.id as number,
    token: res.body.token_pair.access_token.token as string,
  };
}

const roles = async (userId: number, token: string) => {
  const res = await stack.authApi.get(`/users/${userId}/roles`, { token });
  contract.check('listUserRoles', res);
  return res;
};
const grant = async (userId: number, role: string, token: string) => {
  const res = await stack.authApi.send('PUT', `/users/${userId}/roles/${role}`, undefined, {
    token,
  });
  contract.check('grantRole', res);
  return res;
};
const revoke = async (userId: number, role: string, token: string) => {
  const res = await stack.authApi.send('DELETE', `/users/${userId}/roles/${role}`, undefined, {
    token,
  });
  contract.check('revokeRole', res);
  return res;
};
/**
 * How each service answers the token: the auth service's probe is GET /users/1/roles, which a valid
 * token without roles:read gets 403 for and a revoked one 401; the user service's is GET /profile.
 */
const acceptance = async (token: string) => {
  await stack.settle();
  const [auth, user] = await Promise.all([
    stack.authApi.get('/users/1/roles', { token }),
    stack.userApi.get('/profile', { token }),
  ]);
  return { auth: auth.status, user: user.status };
};
const auditOf = async (userId: number) =>
  (
    await stack.authDb.query<{ action: string; reason: string | null; actor_id: unknown }>(
      'SELECT action, reason, actor_id FROM audit_log WHERE user_id = ? ORDER BY id',
      [userId],
    )
  ).rows.map((r) => ({ action: r.action, reason: r.reason, actor: Number(r.actor_id) }));

describe('role administration', () => {
  it('When an administrator grants a role, then the account holds it, its sessions end in both services and the change is audited', async () => {
    const user = await registeredUser(stack);
    expect(await acceptance(user.access)).toEqual({ auth: 403, user: 200 });

    const res = await grant(user.id, 'support', admin.token);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      user_id: user.id,
      roles: ['support', 'user'],
      permissions: [
        'accounts:recover',
        'profile:read',
        'profile:write',
        'roles:read',
        'sessions:revoke-any',
        'sessions:revoke-own',
        'users:read',
      ],
    });
    // The old token carries the old roles: it is refused everywhere, and a new login carries the new ones.
    expect(await acceptance(user.access)).toEqual({ auth: 401, user: 401 });
    expect(await auditOf(user.id)).toContainEqual({
      action: 'role_granted',
      reason: 'support',
      actor: admin.id,
    });
  });

  it('When a role the account holds is granted again, then nothing changes and its sessions go on', async () => {
    const user = await registeredUser(stack);
    const res = await grant(user.id, 'user', admin.token);
    expect(res.status).toBe(200);
    expect(res.body.roles).toEqual(['user']);
    expect((await stack.userApi.get('/profile', { token: user.access })).status).toBe(200);
    expect((await auditOf(user.id)).map((a) => a.action)).not.toContain('role_granted');
  });

  it('When an administrator takes a role, then the account loses its permissions and its sessions end', async () => {
    const user = await registeredUser(stack);
    await grant(user.id, 'support', admin.token);
    const res = await revoke(user.id, 'user', admin.token);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ roles: ['support'] });
    expect(res.body.permissions).not.toContain('profile:read');
    expect((await auditOf(user.id)).map((a) => a.action)).toEqual(
      expect.arrayContaining(['role_granted', 'role_revoked']),
    );
    expect(await acceptance(user.access)).toEqual({ auth: 401, user: 401 });
  });

  it('When a plain user tries to change or read roles, then it gets 403 and nothing changes', async () => {
    const user = await registeredUser(stack);
    const target = await registeredUser(stack);
    for (const res of [
      await grant(user.id, 'admin', user.access),
      await grant(target.id, 'admin', user.access),
      await revoke(admin.id, 'admin', user.access),
      await roles(target.id, user.access),
    ]) {
      expect(res.status).toBe(403);
      expect(res.body.type).toBe('urn:problem:forbidden');
    }
    expect((await roles(target.id, admin.token)).body.roles).toEqual(['user']);
    expect((await roles(admin.id, admin.token)).body.roles).toEqual(['admin', 'user']);
  });

  it('When a support account acts, then its permissions allow reading roles and ending sessions but not granting', async () => {
    const staff = await registeredUser(stack);
    await grant(staff.id, 'support', admin.token);
    const login = await stack.authApi.post('/login', {
      login: (
        await stack.authDb.query<{ login: string }>('SELECT login FROM auth_info WHERE id = ?', [
          staff.id,
        ])
      ).rows[0]!.login,
      password: 'SecurePass123!',
    });
    const support = login.body.token_pair.access_token.token as string;
    const target = await registeredUser(stack);

    expect((await roles(target.id, support)).status).toBe(200);
    const ended = await stack.authApi.post(`/users/${target.id}/logout-all`, undefined, {
      token: support,
    });
    contract.check('logoutAllOfUser', ended);
    expect(ended.status).toBe(200);
    expect(ended.body).toEqual({ sessions_revoked: 1 });
    expect(await acceptance(target.access)).toEqual({ auth: 401, user: 401 });
    expect((await grant(target.id, 'support', support)).status).toBe(403);
    const deactivate = await stack.authApi.post(`/account-delete/${target.id}`, undefined, {
      token: support,
    });
    expect(deactivate.status).toBe(403);
    expect(deactivate.body.detail).toBe(
      'This operation requires the role admin or the permission accounts:deactivate.',
    );
  });

  it('When the role or the account does not exist, then it gets 422 or 404', async () => {
    const user = await registeredUser(stack);
    const unknownRole = await grant(user.id, 'root', admin.token);
    expect(unknownRole.status).toBe(422);
    expect(unknownRole.body.errors).toEqual([expect.objectContaining({ field: 'role' })]);
    expect((await grant(999_999, 'support', admin.token)).status).toBe(404);
    expect((await roles(999_999, admin.token)).status).toBe(404);
    expect((await revoke(0, 'user', admin.token)).status).toBe(422);
  });
});

describe('the last administrator', () => {
  it('When the only administrator would lose the role or deactivate itself, then it gets 409; with a second one it may', async () => {
    const alone = await revoke(admin.id, 'admin', admin.token);
    expect(alone.status).toBe(409);
    expect(alone.body.type).toBe('urn:problem:last-administrator');
    const self = await stack.authApi.post('/account-delete', undefined, { token: admin.token });
    contract.check('deactivateOwnAccount', self);
    expect(self.status).toBe(409);

    const second = await registeredUser(stack);
    expect((await grant(second.id, 'admin', admin.token)).status).toBe(200);
    const res = await revoke(admin.id, 'admin', admin.token);
    expect(res.status).toBe(200);
    expect(res.body.roles).toEqual(['user']);
  });
});
