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

const register = async (body: unknown, opts?: Parameters<Stack['authApi']['post']>[2]) => {
  const res = await stack.authApi.post('/register', body, opts);
  contract.check('register', res);
  return res;
};

describe('POST /register', () => {
  it('When the seed example registers, then it gets 201 with the user and a token pair', async () => {
    const res = await register({
      display_name: 'John Doe',
      login: 'johndoe',
      email: 'john@example.com',
      password: 'SecurePass123!',
    });
    expect(res.status).toBe(201);
    expect(res.body.user).toMatchObject({
      login: 'johndoe',
      email: 'john@example.com',
      is_active: true,
    });
    expect(res.body.token_pair.access_token.token_id).not.toBe(
      res.body.token_pair.refresh_token.token_id,
    );
  });

  it('When names are in other scripts, then they are accepted', async () => {
    const res = await register(newRegistration({ display_name: 'Иван Петров' }));
    expect(res.status).toBe(201);
  });

  it('When the login is taken in another case, then it gets 409 naming the field', async () => {
    const first = newRegistration();
    expect((await register(first)).status).toBe(201);
    const res = await register(newRegistration({ login: first.login.toUpperCase() }));
    expect(res.status).toBe(409);
    expect(res.body.errors).toEqual([{ field: 'login', message: 'is already taken' }]);
  });

  it('When the email is taken in another case, then it gets 409 naming the field', async () => {
    const first = newRegistration();
    await register(first);
    const res = await register(newRegistration({ email: first.email.toUpperCase() }));
    expect(res.status).toBe(409);
    expect(res.body.errors).toEqual([{ field: 'email', message: 'is already registered' }]);
  });

  it.each([
    ['a short display name', { display_name: 'Jo' }, 'display_name'],
    ['a long display name', { display_name: 'A'.repeat(31) }, 'display_name'],
    ['digits in the display name', { display_name: 'John 2' }, 'display_name'],
    ['double spaces in the display name', { display_name: 'John  Doe' }, 'display_name'],
    ['a short login', { login: 'ab' }, 'login'],
    ['a long login', { login: 'a'.repeat(31) }, 'login'],
    ['a login with a dash', { login: 'john-doe' }, 'login'],
    ['a bad email', { email: 'not-an-email' }, 'email'],
    ['a password without a digit', { password: 'SecurePass!!' }, 'password'],
    ['a password without a special character', { password: 'SecurePass123' }, 'password'],
    ['a password without upper case', { password: 'securepass123!' }, 'password'],
    ['a short password', { password: 'Sp1!' }, 'password'],
    ['a password over 128 characters', { password: `Sp1!${'a'.repeat(125)}` }, 'password'],
  ])('When the body has %s, then it gets 422 naming the field', async (_name, override, field) => {
    const res = await register(newRegistration(override));
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('When fields are missing or of the wrong type, then every problem is listed', async () => {
    const res = await register({ display_name: 42, login: null, extra: true });
    expect(res.status).toBe(422);
    const fields = res.body.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(
      expect.arrayContaining(['display_name', 'login', 'email', 'password', 'extra']),
    );
  });

  it('When the body is not JSON, then it gets 400', async () => {
    const res = await register(undefined, {
      raw: '{"login": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(res.contentType).toMatch(/^application\/problem\+json/);
  });

  it('When the body is not sent as JSON, then it gets 415', async () => {
    const res = await register(undefined, {
      raw: 'login=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(415);
  });

  it('When the body is empty, then it gets 422', async () => {
    const res = await register(undefined, { headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(422);
  });

  it('When it registers, then the user service gets a profile through the Register event', async () => {
    const reg = newRegistration({ display_name: 'Event Person' });
    const res = await register(reg);
    await stack.settle();
    const profile = await stack.userApi.get('/profile', {
      token: res.body.token_pair.access_token.token,
    });
    expect(profile.status).toBe(200);
    expect(profile.body).toMatchObject({
      auth_id: res.body.user.id,
      display_name: 'Event Person',
      bio: null,
      is_active: true,
    });
  });
});
