import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContractChecker } from '../../../test/support/contract.js';
import { newRegistration } from '../../../test/support/factories.js';
import { addPasskey, newAuthenticator } from '../../../test/support/passkeys.js';
import { totpCodes } from '../../../test/support/second-factor.js';
import { startStack, type Stack } from '../../../test/support/stack.js';

const contract = new ContractChecker('auth.yaml');
const ADMIN = { login: 'mfa_admin', email: 'mfa_admin@example.com', password: 'AdminPass123!' };
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    MFA_REQUIRED_ROLES: 'admin',
    PASSKEY_LOGIN_RATE_PER_IP: '3',
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

/**
 * The administrator, whose role requires a second factor: its login answers an enrolment token, and
 * enrolling an authenticator app with it finishes the login with a session proven by both (aal 2).
 */
const enrolledAdmin = async () => {
  const login = await stack.authApi.post('/login', {
    login: ADMIN.login,
    password: ADMIN.password,
  });
  expect(login.status).toBe(403);
  const enrolment = { enrolment_token: login.body.enrolment_token as string };
  const started = await stack.authApi.post('/login/mfa/enrol', enrolment);
  expect(started.status).toBe(201);
  const { current } = await totpCodes(started.body.secret as string);
  const done = await stack.authApi.post('/login/mfa/enrol/confirm', {
    ...enrolment,
    code: current,
  });
  expect(done.status).toBe(200);
  return { token: done.body.token_pair.access_token.token as string, password: ADMIN.password };
};
const disableTotp = (account: { token: string; password: string }) =>
  stack.authApi.post('/mfa/totp/disable', { password: account.password }, account);

describe('MFA_REQUIRED_ROLES and the last second factor', () => {
  it('When an account whose role requires MFA removes its factors, then the last one stays with 409 last-factor, a passkey or the authenticator app alike', async () => {
    const admin = await enrolledAdmin();
    const first = await addPasskey(stack.authApi, admin, newAuthenticator());
    const second = await addPasskey(stack.authApi, admin, newAuthenticator());
    expect((await remove(admin, first.id)).status).toBe(204);
    expect((await remove(admin, second.id)).status).toBe(204);
    // The authenticator app is the last factor now.
    const lastApp = await disableTotp(admin);
    contract.check('removeTotp', lastApp);
    expect(lastApp.status).toBe(409);
    expect(lastApp.body.type).toBe('urn:problem:last-factor');
    // With a passkey beside it the app may go, and then the passkey is the last one.
    const third = await addPasskey(stack.authApi, admin, newAuthenticator());
    expect((await disableTotp(admin)).status).toBe(204);
    const last = await remove(admin, third.id);
    contract.check('deletePasskey', last);
    expect(last.status).toBe(409);
    expect(last.body.type).toBe('urn:problem:last-factor');
    const list = await stack.authApi.get('/passkeys', { token: admin.token });
    expect(list.body.passkeys.map((p: { id: number }) => p.id)).toEqual([third.id]);
  });

  it('When an account without such a role removes its only passkey, then it may', async () => {
    const registration = newRegistration();
    expect((await stack.authApi.post('/register', registration)).status).toBe(201);
    const user = await signIn(registration.login, registration.password);
    const only = await addPasskey(stack.authApi, user, newAuthenticator());
    expect((await remove(user, only.id)).status).toBe(204);
  });
});

describe('PASSKEY_LOGIN_RATE_PER_IP', () => {
  it('When a client sends more passwordless login requests than the limit, then it gets 429 with Retry-After', async () => {
    expect((await stack.authApi.post('/login/passkey/options')).status).toBe(200);
    const statuses: number[] = [];
    let refused: Awaited<ReturnType<typeof stack.authApi.post>> | undefined;
    for (let i = 0; i < 3; i++) {
      const res = await stack.authApi.post('/login/passkey', {
        challenge_id: '00000000-0000-4000-8000-000000000000',
        response: {
          id: 'AA',
          rawId: 'AA',
          type: 'public-key',
          clientExtensionResults: {},
          response: { clientDataJSON: 'AA', authenticatorData: 'AA', signature: 'AA' },
        },
      });
      statuses.push(res.status);
      if (res.status === 429) refused = res;
    }
    expect(statuses).toEqual([401, 401, 429]);
    contract.check('loginWithPasskey', refused!);
    expect(Number(refused!.headers.get('retry-after'))).toBeGreaterThan(0);
    const options = await stack.authApi.post('/login/passkey/options');
    contract.check('passkeyLoginOptions', options);
    expect(options.status).toBe(429);
  });
});
