import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContractChecker } from '../../../test/support/contract.js';
import { newRegistration } from '../../../test/support/factories.js';
import { addPasskey, newAuthenticator } from '../../../test/support/passkeys.js';
import { startStack, type Stack } from '../../../test/support/stack.js';

const contract = new ContractChecker('auth.yaml');
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    MFA_REQUIRED_ROLES: 'admin',
    PASSKEY_LOGIN_RATE_PER_IP: '3',
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
/** A login's password and then its passkey step: the access token of an aal 2 session. */
async function passkeyStep(
  account: { login: string; password: string },
  authenticator: ReturnType<typeof newAuthenticator>,
) {
  const login = await stack.authApi.post('/login', {
    login: account.login,
    password: account.password,
  });
  expect(login.status).toBe(401);
  const mfaToken = login.body.mfa_token as string;
  const started = await stack.authApi.post('/login/mfa/passkey/options', { mfa_token: mfaToken });
  expect(started.status).toBe(200);
  const done = await stack.authApi.post('/login/mfa', {
    mfa_token: mfaToken,
    method: 'webauthn',
    challenge_id: started.body.challenge_id,
    response: authenticator.get(started.body.options),
  });
  expect(done.status).toBe(200);
  return done.body.token_pair.access_token.token as string;
}
const remove = (account: { token: string; password: string }, id: number) =>
  stack.authApi.send('DELETE', `/passkeys/${id}`, { password: account.password }, account);

describe('MFA_REQUIRED_ROLES and the last passkey', () => {
  it('When an account whose role requires MFA removes passkeys, then the last one stays with 409 last-factor', async () => {
    const registration = newRegistration();
    const registered = await stack.authApi.post('/register', registration);
    expect(registered.status).toBe(201);
    const user = await signIn(registration.login, registration.password);
    const authenticator = newAuthenticator();
    const first = await addPasskey(stack.authApi, user, authenticator);
    const second = await addPasskey(stack.authApi, user, newAuthenticator());
    // The role granted outside a role change; a login proven with a passkey meets its policy.
    await stack.authDb.query(
      "INSERT INTO user_roles (user_id, role_id, granted_at) SELECT ?, id, ? FROM roles WHERE name = 'admin'",
      [registered.body.user.id, new Date().toISOString()],
    );
    const admin = {
      token: await passkeyStep(registration, authenticator),
      password: registration.password,
    };
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
