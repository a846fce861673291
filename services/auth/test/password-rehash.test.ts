import argon2 from 'argon2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContractChecker } from '../../../test/support/contract.js';
import { newRegistration } from '../../../test/support/factories.js';
import { startStack, TEST_ENV, type Stack } from '../../../test/support/stack.js';

const contract = new ContractChecker('auth.yaml');
/** What the stack hashes with (TEST_ENV). */
const CURRENT = { m: TEST_ENV.ARGON2_MEMORY_KIB, t: TEST_ENV.ARGON2_TIME_COST, p: '1' };
let stack: Stack;

/** The cost parameters of a PHC string ($argon2id$v=19$m=4096,p=1,t=1$salt$hash), in any order. */
const paramsOf = (hash: string) =>
  Object.fromEntries(
    hash
      .split('$')[3]!
      .split(',')
      .map((kv) => kv.split('=')),
  );

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const storedHash = async (login: string): Promise<string> => {
  const { rows } = await stack.authDb.query<{ hashed_password: string }>(
    'SELECT hashed_password FROM auth_info WHERE login_lower = ?',
    [login.toLowerCase()],
  );
  expect(rows).toHaveLength(1);
  return rows[0]!.hashed_password;
};

/** Registers an account, then stores its password as hashed under older, cheaper parameters. */
const accountWithOldHash = async () => {
  const reg = newRegistration();
  expect((await stack.authApi.post('/register', reg)).status).toBe(201);
  const old = await argon2.hash(reg.password, {
    type: argon2.argon2id,
    memoryCost: 2048,
    timeCost: 1,
    parallelism: 1,
  });
  await stack.authDb.query('UPDATE auth_info SET hashed_password = ? WHERE login_lower = ?', [
    old,
    reg.login.toLowerCase(),
  ]);
  expect(await storedHash(reg.login)).toBe(old);
  return { reg, old };
};

const login = async (body: { login: string; password: string }) => {
  const res = await stack.authApi.post('/login', body);
  contract.check('login', res);
  return res;
};

describe('argon2 parameters upgraded at login', () => {
  it('When a hash made with other parameters logs in, then it is replaced by one with the current parameters', async () => {
    const { reg, old } = await accountWithOldHash();
    expect(paramsOf(old)).toEqual({ m: '2048', t: '1', p: '1' });

    expect((await login({ login: reg.login, password: reg.password })).status).toBe(200);

    const upgraded = await storedHash(reg.login);
    expect(upgraded).not.toBe(old);
    expect(upgraded).toMatch(/^\$argon2id\$/);
    expect(paramsOf(upgraded)).toEqual(CURRENT);
    expect(await argon2.verify(upgraded, reg.password)).toBe(true);
    // and the upgraded hash keeps working
    expect((await login({ login: reg.login, password: reg.password })).status).toBe(200);
    expect(await storedHash(reg.login)).toBe(upgraded);
  });

  it('When the password is wrong, then the old hash is left as it is', async () => {
    const { reg, old } = await accountWithOldHash();

    expect((await login({ login: reg.login, password: `${reg.password}x` })).status).toBe(401);

    expect(await storedHash(reg.login)).toBe(old);
  });
});
