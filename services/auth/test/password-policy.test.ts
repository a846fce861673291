import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContractChecker } from '../../../test/support/contract.js';
import { newRegistration } from '../../../test/support/factories.js';
import { startStack, type Stack } from '../../../test/support/stack.js';

const contract = new ContractChecker('auth.yaml');

/** 70 characters: spaces, German, Cyrillic and Japanese; no upper case, digit or special character. */
const PASSPHRASE = 'zwölf boxkämpfer jagen viktor quer über den deich, тихий сад у моря 東京';

const registerOn = async (stack: Stack, overrides: Parameters<typeof newRegistration>[0]) => {
  const res = await stack.authApi.post('/register', newRegistration(overrides));
  contract.check('register', res);
  return res;
};

const passwordErrors = (body: { errors?: { field: string }[] }) =>
  (body.errors ?? []).filter((e) => e.field === 'password');

describe('POST /register with PASSWORD_POLICY=nist', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ PASSWORD_POLICY: 'nist' });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('When a long passphrase without composition is registered, then it gets 201 and logs in with it', async () => {
    const res = await registerOn(stack, { password: PASSPHRASE });
    expect(res.status).toBe(201);
    const login = await stack.authApi.post('/login', {
      login: res.body.user.login,
      password: PASSPHRASE,
    });
    contract.check('login', login);
    expect(login.status).toBe(200);
    expect(login.body.user.id).toBe(res.body.user.id);
  });

  it('When a common password is registered, then it gets 422 on password, without quoting it', async () => {
    const res = await registerOn(stack, { password: 'PasswordPassword' });
    expect(res.status).toBe(422);
    expect(passwordErrors(res.body)).toEqual([
      { field: 'password', message: 'is too common: it appears in lists of breached passwords' },
    ]);
    expect(JSON.stringify(res.body).toLowerCase()).not.toContain('passwordpassword');
  });

  it('When the password contains the login, then it gets 422 on password', async () => {
    const reg = newRegistration();
    const res = await registerOn(stack, { ...reg, password: `my ${reg.login} is safe here` });
    expect(res.status).toBe(422);
    expect(passwordErrors(res.body)).toContainEqual({
      field: 'password',
      message: 'must not contain the login',
    });
  });

  it('When the password is shorter than 15 characters, then it gets 422 on password', async () => {
    const res = await registerOn(stack, { password: 'kq8 zv!w ymr3' });
    expect(res.status).toBe(422);
    expect(passwordErrors(res.body)).toEqual([
      { field: 'password', message: 'must be at least 15 characters' },
    ]);
  });
});

describe('POST /register with the default policy', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('When a 15-character lower-case passphrase without digits is registered, then the seed rules refuse it with 422', async () => {
    const res = await registerOn(stack, { password: 'quiet otter sky' });
    expect(res.status).toBe(422);
    expect(passwordErrors(res.body).length).toBeGreaterThan(0);
  });

  it('When the same passphrase has the seed composition, then it gets 201', async () => {
    const res = await registerOn(stack, { password: 'Quiet otter sky 7!' });
    expect(res.status).toBe(201);
  });
});
