import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContractChecker } from '../../../test/support/contract.js';
import { newRegistration } from '../../../test/support/factories.js';
import type { RequestOptions } from '../../../test/support/http-client.js';
import { startStack, type Stack } from '../../../test/support/stack.js';

const contract = new ContractChecker('auth.yaml');
const userContract = new ContractChecker('user.yaml');
let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const deactivateOwn = async (opts?: RequestOptions) => {
  const res = await stack.authApi.post('/account-delete', undefined, opts);
  contract.check('deactivateOwnAccount', res);
  return res;
};

const signUp = async () => {
  const reg = newRegistration();
  const res = await stack.authApi.post('/register', reg);
  contract.check('register', res);
  expect(res.status).toBe(201);
  return { reg, user: res.body.user, tokens: res.body.token_pair };
};

const profile = async (token: string) => {
  const res = await stack.userApi.get('/profile', { token });
  userContract.check('getProfile', res);
  return res;
};

describe('POST /account-delete', () => {
  it('When an account deactivates itself, then it gets 200 with is_active false', async () => {
    const { user, tokens } = await signUp();
    const res = await deactivateOwn({ token: tokens.access_token.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...user, is_active: false });
  });

  it('When it has deactivated itself, then its token, its password and its refresh token are refused', async () => {
    const { reg, tokens } = await signUp();
    expect((await deactivateOwn({ token: tokens.access_token.token })).status).toBe(200);

    const again = await deactivateOwn({ token: tokens.access_token.token });
    expect(again.status).toBe(401);
    expect(again.body.detail).toBe('The token has been revoked.');

    const login = await stack.authApi.post('/login', { login: reg.login, password: reg.password });
    contract.check('login', login);
    expect(login.status).toBe(403);

    const refresh = await stack.authApi.post('/refresh', {
      refresh_token: tokens.refresh_token.token,
    });
    contract.check('refresh', refresh);
    expect(refresh.status).toBe(401);
  });

  it('When it has deactivated itself, then the user service refuses its profile', async () => {
    const { tokens } = await signUp();
    await stack.settle();
    expect((await profile(tokens.access_token.token)).status).toBe(200);

    expect((await deactivateOwn({ token: tokens.access_token.token })).status).toBe(200);
    await stack.settle();
    const res = await profile(tokens.access_token.token);
    expect(res.status).toBe(403);
    expect(res.body.type).toBe('urn:problem:account-inactive');
  });

  it('When no token is sent, then it gets 401', async () => {
    const res = await deactivateOwn();
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });
});
