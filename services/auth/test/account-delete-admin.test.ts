import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContractChecker } from '../../../test/support/contract.js';
import { newRegistration } from '../../../test/support/factories.js';
import type { RequestOptions } from '../../../test/support/http-client.js';
import { startStack, type Stack } from '../../../test/support/stack.js';

const contract = new ContractChecker('auth.yaml');
let stack: Stack;
let adminToken: string;

beforeAll(async () => {
  stack = await startStack({
    ADMIN_LOGIN: 'admin',
    ADMIN_EMAIL: 'admin@example.com',
    ADMIN_PASSWORD: 'AdminPass123!',
  });
  const res = await stack.authApi.post('/login', { login: 'admin', password: 'AdminPass123!' });
  contract.check('login', res);
  expect(res.status).toBe(200);
  adminToken = res.body.token_pair.access_token.token;
});
afterAll(async () => {
  await stack?.stop();
});

const deactivate = async (userId: string | number, opts?: RequestOptions) => {
  const res = await stack.authApi.post(`/account-delete/${userId}`, undefined, opts);
  contract.check('deactivateAccount', res);
  return res;
};

const signUp = async () => {
  const reg = newRegistration();
  const res = await stack.authApi.post('/register', reg);
  contract.check('register', res);
  expect(res.status).toBe(201);
  return { reg, user: res.body.user, tokens: res.body.token_pair };
};

describe('POST /account-delete/{user_id}', () => {
  it('When an administrator deactivates another account, then it gets 200 and the account is inactive', async () => {
    const { reg, user } = await signUp();
    const res = await deactivate(user.id, { token: adminToken });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...user, is_active: false });
    const login = await stack.authApi.post('/login', { login: reg.login, password: reg.password });
    contract.check('login', login);
    expect(login.status).toBe(403);
  });

  it('When a plain user calls it, then it gets 403 and the account stays active', async () => {
    const caller = await signUp();
    const target = await signUp();
    const res = await deactivate(target.user.id, { token: caller.tokens.access_token.token });
    expect(res.status).toBe(403);
    expect(res.body.type).toBe('urn:problem:forbidden');
    const refresh = await stack.authApi.post('/refresh', {
      refresh_token: target.tokens.refresh_token.token,
    });
    contract.check('refresh', refresh);
    expect(refresh.status).toBe(200);
  });

  it('When the account does not exist, then it gets 404', async () => {
    const res = await deactivate(999_999, { token: adminToken });
    expect(res.status).toBe(404);
    expect(res.body.type).toBe('urn:problem:not-found');
  });

  it.each([
    ['not a number', 'abc'],
    ['zero', '0'],
    ['negative', '-1'],
    ['a fraction', '1.5'],
  ])('When the id is %s, then it gets 422 naming the field', async (_name, id) => {
    const res = await deactivate(id, { token: adminToken });
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['user_id']);
  });

  it('When the id has a leading zero, then it gets 422 and the account stays active', async () => {
    const { user, tokens } = await signUp();
    const res = await deactivate(`0${user.id}`, { token: adminToken });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([
      { field: 'user_id', message: 'must be a decimal integer without sign or leading zeros' },
    ]);
    expect(
      (await stack.authApi.post('/logout-all', undefined, { token: tokens.access_token.token }))
        .status,
    ).toBe(200);
  });

  it('When the account is already inactive, then it gets 200 again', async () => {
    const { user } = await signUp();
    expect((await deactivate(user.id, { token: adminToken })).status).toBe(200);
    const res = await deactivate(user.id, { token: adminToken });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...user, is_active: false });
  });

  it('When no token is sent, then it gets 401', async () => {
    const { user } = await signUp();
    const res = await deactivate(user.id);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });
});
