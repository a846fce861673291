import { describe, expect, it } from 'vitest';
import { ContractChecker } from '../../../test/support/contract.js';
import { newRegistration } from '../../../test/support/factories.js';
import { addPasskey, newAuthenticator } from '../../../test/support/passkeys.js';
import { startStack, type Stack } from '../../../test/support/stack.js';
import { afterAll, beforeAll } from 'vitest';

const contract = new ContractChecker('auth.yaml');
const ADMIN = { login: 'mfa_admin', email: 'mfa_admin@example.com', password: 'AdminPass123!' };
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    MFA_REQUIRED_ROLES: 'admin',
    ADMIN_LOGIN: ADMIN.login,
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
  });
});
afterAll(async () => {
  await stack?.stop();
});

const signIn = async (login: string, password: string) => {
  const res = await stack.authApi.post('/login', { login, password });
  expect(res.status).toBe(200);
  return { token: res.body.token_pair.access_token.token as string, password };
};
const remove = (account: { token: string; password: string }, id: number) =>
  stack.authApi.send('DELETE', `/passkeys/${id}`, { password: account.password }, account);

describe('MFA_REQUIRED_ROLES and the last passkey', () => {
  it('When an account whose role requires MFA removes passkeys, then the last one stays with 409 last-factor', async () => {
    const admin = await signIn(ADMIN.login, ADMIN.password);
    const first = await addPasskey(stack.authApi, admin, newAuthenticator());
    const second = await addPasskey(stack.authApi, admin, newAuthenticator());
    expect((await remove(admin, first.id)).status).toBe(204);
    const last = await remove(admin, second.id);
    contract.check('deletePasskey', last);
    expect(last.status).toBe(409);
    expect(last.body.type).toBe('urn:problem:last-factor');
    const list = await stack.authApi.get('/passkeys', { token: admin.token });
    expect(list.body.passkeys.map((p: { id: number }) => p.id)).toEqual([second.id]);
  });

  it('When an account without such a role removes its only passkey, then it may', async () => {
    const registration = newRegistration();
    expect((await stack.authApi.post('/register', registration)).status).toBe(201);
    const user = await signIn(registration.login, registration.password);
    const only = await addPasskey(stack.authApi, user, newAuthenticator());
    expect((await remove(user, only.id)).status).toBe(204);
  });
});
