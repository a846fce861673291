import { describe, expect, it } from 'vitest';
import { ContractChecker } from '../../../test/support/contract.js';
import { signUp, useMailStack } from '../../../test/support/mail-stack.js';
import { addPasskey, assertion, newAuthenticator } from '../../../test/support/passkeys.js';
import { claimsOf, mfaStep, passwordStep } from '../../../test/support/second-factor.js';

// A passkey under MFA_REQUIRED_ROLES=admin: as the second factor of a login, and as a passwordless
// login's multi-factor authenticator, whose session carries its proof and its client.

const contract = new ContractChecker('auth.yaml');
const ctx = useMailStack({ MFA_REQUIRED_ROLES: 'admin' });
const api = () => ctx.stack.authApi;
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';

/** An administrator whose only second factor is a passkey (the role granted after it was added). */
async function adminWithPasskeyOnly() {
  const account = await signUp(ctx);
  const authenticator = newAuthenticator();
  await addPasskey(api(), account, authenticator);
  await ctx.stack.authDb.query(
    "INSERT INTO user_roles (user_id, role_id, granted_at) SELECT ?, id, ? FROM roles WHERE name = 'admin'",
    [account.userId, new Date().toISOString()],
  );
  return { ...account, authenticator };
}

describe('MFA_REQUIRED_ROLES=admin and passkeys', () => {
  it('When an administrator has only a passkey, then /login asks for it rather than an enrolment, and the passkey step gives an aal 2 session', async () => {
    const admin = await adminWithPasskeyOnly();
    const login = await api().post('/login', { login: admin.login, password: admin.password });
    contract.check('login', login);
    expect(login.status).toBe(401);
    expect(login.body).toMatchObject({ type: 'urn:problem:mfa-required', methods: ['webauthn'] });

    const started = await api().post('/login/mfa/passkey/options', {
      mfa_token: login.body.mfa_token,
    });
    contract.check('loginMfaPasskeyOptions', started);
    const done = await mfaStep(ctx, {
      mfa_token: login.body.mfa_token,
      method: 'webauthn',
      challenge_id: started.body.challenge_id,
      response: admin.authenticator.get(started.body.options, { userVerified: false }),
    });
    expect(done.status).toBe(200);
    expect(claimsOf(done)).toMatchObject({ amr: ['pwd', 'hwk', 'mfa'], aal: 2 });
    const token = done.body.token_pair.access_token.token as string;
    const status = await api().get('/mfa', { token });
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ methods: ['webauthn'], passkeys: 1 });
    // The second step is still asked of the next login: the passkey is its factor.
    expect(await passwordStep(ctx, admin)).toBeTruthy();
  });

  it('When an administrator logs in with a passkey alone, then the session is multi-factor (aal 2), kept with its User-Agent, and the policy lets it through', async () => {
    const admin = await adminWithPasskeyOnly();
    const res = await api().post('/login/passkey', await assertion(api(), admin.authenticator), {
      headers: { 'user-agent': FIREFOX },
    });
    contract.check('loginWithPasskey', res);
    expect(res.status).toBe(200);
    expect(claimsOf(res)).toMatchObject({ amr: ['hwk', 'mfa'], aal: 2 });
    const token = res.body.token_pair.access_token.token as string;
    expect((await api().get('/mfa', { token })).status).toBe(200);
    const refreshed = await api().post('/refresh', {
      refresh_token: res.body.token_pair.refresh_token.token,
    });
    expect(refreshed.status).toBe(200);

    const sessions = await api().get('/sessions', { token: refreshed.body.access_token.token });
    contract.check('listSessions', sessions);
    const current = sessions.body.sessions.find((s: { current: boolean }) => s.current);
    expect(current).toMatchObject({ user_agent: FIREFOX, browser: { name: 'Firefox' } });
    expect(current.ip).toBeTruthy();
  });

  it("When an administrator resets an account's factors, then its passkeys go too: the password alone logs in, the passkey no longer", async () => {
    const admin = await adminWithPasskeyOnly();
    const strong = await api().post('/login/passkey', await assertion(api(), admin.authenticator));
    expect(strong.status).toBe(200);
    const account = await signUp(ctx);
    const authenticator = newAuthenticator();
    await addPasskey(api(), account, authenticator);
    const reset = await api().send('DELETE', `/users/${account.userId}/mfa`, undefined, {
      token: strong.body.token_pair.access_token.token,
    });
    contract.check('resetUserMfa', reset);
    expect(reset.status).toBe(200);
    const login = await api().post('/login', { login: account.login, password: account.password });
    expect(login.status).toBe(200);
    const passkeys = await api().get('/passkeys', {
      token: login.body.token_pair.access_token.token,
    });
    expect(passkeys.body.passkeys).toEqual([]);
    const passwordless = await api().post('/login/passkey', await assertion(api(), authenticator));
    expect(passwordless.status).toBe(401);
    const { rows } = await ctx.stack.authDb.query<{ details: string }>(
      "SELECT details FROM audit_log WHERE action = 'mfa_reset' AND user_id = ?",
      [account.userId],
    );
    expect(rows.map((r) => JSON.parse(r.details).passkeys_removed)).toEqual([1]);
  });

  it('When an account without such a role logs in with a synced passkey, then its tokens say swk and mfa', async () => {
    const account = await signUp(ctx);
    const authenticator = newAuthenticator({ backedUp: true });
    await addPasskey(api(), account, authenticator);
    const res = await api().post('/login/passkey', await assertion(api(), authenticator));
    expect(res.status).toBe(200);
    expect(claimsOf(res)).toMatchObject({ amr: ['swk', 'mfa'], aal: 2 });
  });
});
