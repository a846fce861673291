import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContractChecker } from '../../../test/support/contract.js';
import { newRegistration } from '../../../test/support/factories.js';
import { startStack, type Stack } from '../../../test/support/stack.js';

const ADMIN = { login: 'lockeraser', email: 'lockeraser@example.com', password: 'AdminPass123!' };
const contract = new ContractChecker('auth.yaml');
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    ADMIN_LOGIN: ADMIN.login,
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    LOGIN_MAX_FAILURES_PER_ACCOUNT: '3',
    LOGIN_MAX_FAILURES_PER_ACCOUNT_IP: '3',
  });
});
afterAll(async () => {
  await stack?.stop();
});

const login = async (body: { login: string; password: string }) => {
  const res = await stack.authApi.post('/login', body);
  contract.check('login', res);
  return res;
};

describe('DELETE /users/{user_id} and the brute-force locks', () => {
  it('When a locked account is erased, then its login is free of the lock for the next account', async () => {
    const reg = newRegistration();
    const registered = await stack.authApi.post('/register', reg);
    expect(registered.status).toBe(201);
    for (let i = 0; i < 3; i++) await login({ login: reg.login, password: 'WrongPass123!' });
    expect((await login({ login: reg.login, password: reg.password })).status).toBe(429);

    const admin = await login({ login: ADMIN.login, password: ADMIN.password });
    const token = admin.body.token_pair.access_token.token as string;
    const erased = await stack.authApi.send(
      'DELETE',
      `/users/${registered.body.user.id}`,
      undefined,
      { token },
    );
    contract.check('eraseAccount', erased);
    expect(erased.status).toBe(204);

    expect((await stack.authApi.post('/register', reg)).status).toBe(201);
    expect((await login({ login: reg.login, password: reg.password })).status).toBe(200);
  });
});
