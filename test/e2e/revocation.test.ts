import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContractChecker } from '../support/contract.js';
import { registeredUser } from '../support/events.js';
import { startStack, type Stack } from '../support/stack.js';

// Every way a session ends reaches the user service as a `Sessions Revoked` event (through RabbitMQ in
// the infra project): a token it accepted before is refused after.

const auth = new ContractChecker('auth.yaml');
const user = new ContractChecker('user.yaml');
const ADMIN = { login: 'admin', password: 'AdminPass123!' };
let stack: Stack;
let adminToken: string;

beforeAll(async () => {
  stack = await startStack({
    ADMIN_LOGIN: ADMIN.login,
    ADMIN_EMAIL: 'admin@example.com',
    ADMIN_PASSWORD: ADMIN.password,
  });
  const res = await stack.authApi.post('/login', ADMIN);
  adminToken = res.body.token_pair.access_token.token;
});
afterAll(async () => {
  await stack?.stop();
});

const profileStatus = async (token: string) => {
  const res = await stack.userApi.get('/profile', { token });
  user.check('getProfile', res);
  return res;
};

type Account = Awaited<ReturnType<typeof registeredUser>>;

const TRIGGERS: [string, (account: Account) => Promise<void>, number][] = [
  [
    'it logs out',
    async ({ access }) => {
      const res = await stack.authApi.post('/logout', undefined, { token: access });
      auth.check('logout', res);
      expect(res.status).toBe(204);
    },
    401,
  ],
  [
    'its refresh token is presented again after rotation',
    async ({ refresh }) => {
      const first = await stack.authApi.post('/refresh', { refresh_token: refresh });
      expect(first.status).toBe(200);
      const replay = await stack.authApi.post('/refresh', { refresh_token: refresh });
      auth.check('refresh', replay);
      expect(replay.status).toBe(401);
    },
    401,
  ],
  [
    'it ends its own session from the list of its sessions',
    async ({ access }) => {
      const listed = await stack.authApi.get('/sessions', { token: access });
      auth.check('listSessions', listed);
      const [session] = listed.body.sessions;
      const res = await stack.authApi.send('DELETE', `/sessions/${session.id}`, undefined, {
        token: access,
      });
      auth.check('endSession', res);
      expect(res.status).toBe(204);
    },
    401,
  ],
  [
    'it logs out everywhere',
    async ({ access }) => {
      const res = await stack.authApi.post('/logout-all', undefined, { token: access });
      auth.check('logoutAll', res);
      expect(res.body).toEqual({ sessions_revoked: 1 });
    },
    401,
  ],
  [
    'an administrator logs it out everywhere',
    async ({ id }) => {
      const res = await stack.authApi.post(`/users/${id}/logout-all`, undefined, {
        token: adminToken,
      });
      auth.check('logoutAllOfUser', res);
      expect(res.status).toBe(200);
    },
    401,
  ],
  [
    'an administrator changes its roles',
    async ({ id }) => {
      const res = await stack.authApi.send('PUT', `/users/${id}/roles/support`, undefined, {
        token: adminToken,
      });
      auth.check('grantRole', res);
      expect(res.status).toBe(200);
    },
    401,
  ],
  [
    'an administrator deactivates it',
    async ({ id }) => {
      const res = await stack.authApi.post(`/account-delete/${id}`, undefined, {
        token: adminToken,
      });
      auth.check('deactivateAccount', res);
      expect(res.status).toBe(200);
    },
    403,
  ],
];

describe('revocation reaches the user service', () => {
  it.each(TRIGGERS)(
    'When %s, then the user service refuses the access token it accepted before',
    async (_, trigger, refusal) => {
      const account = await registeredUser(stack);
      expect((await profileStatus(account.access)).status).toBe(200);
      await trigger(account);
      await stack.settle();
      const res = await profileStatus(account.access);
      expect(res.status).toBe(refusal);
      expect(res.contentType).toBe('application/problem+json');
    },
  );

  it('When one session logs out, then the account’s other sessions go on in the user service', async () => {
    const account = await registeredUser(stack);
    const login = await stack.authApi.post('/login', {
      login: (
        await stack.authDb.query<{ login: string }>('SELECT login FROM auth_info WHERE id = ?', [
          account.id,
        ])
      ).rows[0]!.login,
      password: 'SecurePass123!',
    });
    const other = login.body.token_pair.access_token.token as string;
    await stack.authApi.post('/logout', undefined, { token: account.access });
    await stack.settle();
    expect((await profileStatus(account.access)).status).toBe(401);
    expect((await profileStatus(other)).status).toBe(200);
  });

  it('When the account is deactivated, then every session has ended and a refresh fails', async () => {
    const account = await registeredUser(stack);
    await stack.authApi.post(`/account-delete/${account.id}`, undefined, { token: adminToken });
    const res = await stack.authApi.post('/refresh', { refresh_token: account.refresh });
    auth.check('refresh', res);
    expect(res.status).toBe(401);
    expect(res.body.detail).toBe('The session has ended.');
    const sessions = await stack.authDb.query<{ n: unknown }>(
      'SELECT COUNT(*) AS n FROM sessions WHERE user_id = ? AND revoked_at IS NULL',
      [account.id],
    );
    expect(Number(sessions.rows[0]!.n)).toBe(0);
  });
});
