import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContractChecker } from '../../../test/support/contract.js';
import { newRegistration } from '../../../test/support/factories.js';
import { startStack, type Stack } from '../../../test/support/stack.js';

const contract = new ContractChecker('auth.yaml');
let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const login = async (body: unknown, opts?: Parameters<Stack['authApi']['post']>[2]) => {
  const res = await stack.authApi.post('/login', body, opts);
  contract.check('login', res);
  return res;
};

const registerNew = async (overrides: Parameters<typeof newRegistration>[0] = {}) => {
  const reg = newRegistration(overrides);
  const res = await stack.authApi.post('/register', reg);
  contract.check('register', res);
  expect(res.status).toBe(201);
  return { reg, user: res.body.user, tokens: res.body.token_pair };
};

const withoutRequestId = ({ request_id: _id, ...rest }: Record<string, unknown>) => rest;

describe('POST /login', () => {
  it('When the seed example logs in, then it gets 200 with the user and a new token pair', async () => {
    const { user, tokens } = await registerNew({
      login: 'johndoe',
      email: 'john@example.com',
      display_name: 'John Doe',
    });
    const res = await login({ login: 'johndoe', password: 'SecurePass123!' });
    expect(res.status).toBe(200);
    expect(res.body.user).toEqual({
      id: user.id,
      login: 'johndoe',
      email: 'john@example.com',
      is_active: true,
      email_verified: false,
      locale: 'en',
    });
    const pair = res.body.token_pair;
    expect(pair.access_token.token_id).not.toBe(pair.refresh_token.token_id);
    expect(pair.access_token.token_id).not.toBe(tokens.access_token.token_id);
    expect(pair.refresh_token.token_id).not.toBe(tokens.refresh_token.token_id);
  });

  it('When the login name is sent in another case, then it still logs in', async () => {
    const { reg, user } = await registerNew({ login: `Mixed_${Date.now()}` });
    for (const name of [reg.login.toUpperCase(), reg.login.toLowerCase()]) {
      const res = await login({ login: name, password: reg.password });
      expect(res.status).toBe(200);
      expect(res.body.user).toMatchObject({ id: user.id, login: reg.login });
    }
  });

  it('When the password is wrong or the login unknown, then both get the same 401', async () => {
    const { reg } = await registerNew();
    const wrongPassword = await login({ login: reg.login, password: 'WrongPass123!' });
    const unknownLogin = await login({ login: `${reg.login}_nobody`, password: reg.password });
    expect(wrongPassword.status).toBe(401);
    expect(unknownLogin.status).toBe(401);
    expect(wrongPassword.body.request_id).not.toBe(unknownLogin.body.request_id);
    expect(withoutRequestId(wrongPassword.body)).toEqual(withoutRequestId(unknownLogin.body));
    expect(wrongPassword.body.type).toBe('urn:problem:invalid-credentials');
  });

  it('When the account is deactivated, then the right password gets 403 and a wrong one 401', async () => {
    const { reg, tokens } = await registerNew();
    const deactivated = await stack.authApi.post('/account-delete', undefined, {
      token: tokens.access_token.token,
    });
    contract.check('deactivateOwnAccount', deactivated);
    expect(deactivated.status).toBe(200);
    const right = await login({ login: reg.login, password: reg.password });
    expect(right.status).toBe(403);
    expect(right.body.type).toBe('urn:problem:account-inactive');
    const wrong = await login({ login: reg.login, password: 'WrongPass123!' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.type).toBe('urn:problem:invalid-credentials');
  });

  it.each([
    ['no login', { password: 'SecurePass123!' }, 'login'],
    ['no password', { login: 'johndoe' }, 'password'],
    ['a numeric login', { login: 12345, password: 'SecurePass123!' }, 'login'],
    ['a null password', { login: 'johndoe', password: null }, 'password'],
    ['a boolean password', { login: 'johndoe', password: true }, 'password'],
    ['an empty login', { login: '', password: 'SecurePass123!' }, 'login'],
    ['a login over 64 characters', { login: 'a'.repeat(65), password: 'SecurePass123!' }, 'login'],
    [
      'a password over 128 characters',
      { login: 'johndoe', password: 'P1!'.repeat(43) },
      'password',
    ],
    ['an extra field', { login: 'johndoe', password: 'SecurePass123!', otp: '1' }, 'otp'],
  ])('When the body has %s, then it gets 422 naming the field', async (_name, body, field) => {
    const res = await login(body);
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual([field]);
  });

  it('When the login and password are at their longest, then they are checked, not refused', async () => {
    const res = await login({ login: 'a'.repeat(64), password: 'P'.repeat(128) });
    expect(res.status).toBe(401);
  });

  it('When the body is not JSON, then it gets 400', async () => {
    const res = await login(undefined, {
      raw: '{"login": "johndoe", ',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(res.body.type).toBe('urn:problem:malformed-body');
  });

  it('When the body is not sent as JSON, then it gets 415', async () => {
    const res = await login(undefined, {
      raw: 'login=johndoe&password=SecurePass123!',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(415);
    expect(res.body.type).toBe('urn:problem:unsupported-media-type');
  });
});
