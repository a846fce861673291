import { expect } from 'vitest';
import { ContractChecker } from './contract.js';
import { newRegistration } from './factories.js';
import type { Stack } from './stack.js';

const contract = new ContractChecker('auth.yaml');

/** The administrator the operator tests start their stack with (ADMIN_* settings). */
export const ADMIN = { login: 'admin', email: 'admin@example.com', password: 'AdminPass123!' };
export const ADMIN_ENV = {
  ADMIN_LOGIN: ADMIN.login,
  ADMIN_EMAIL: ADMIN.email,
  ADMIN_PASSWORD: ADMIN.password,
};

export async function logIn(stack: Stack, login: string, password: string) {
  const res = await stack.authApi.post('/login', { login, password });
  contract.check('login', res);
  expect(res.status).toBe(200);
  return {
    id: res.body.user.id as number,
    login,
    token: res.body.token_pair.access_token.token as string,
  };
}

/** Registers an account (optionally with a login and email of the test's choosing). */
export async function register(stack: Stack, overrides: { login?: string; email?: string } = {}) {
  const body = newRegistration(overrides);
  const res = await stack.authApi.post('/register', body);
  contract.check('register', res);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return {
    id: res.body.user.id as number,
    login: body.login,
    email: body.email,
    password: body.password,
    token: res.body.token_pair.access_token.token as string,
  };
}

/** A new account granted `role` by the administrator, logged in again (a grant ends its sessions). */
export async function withRole(stack: Stack, adminToken: string, role: string) {
  const account = await register(stack);
  const res = await stack.authApi.send('PUT', `/users/${account.id}/roles/${role}`, undefined, {
    token: adminToken,
  });
  expect(res.status).toBe(200);
  return { ...account, token: (await logIn(stack, account.login, account.password)).token };
}
