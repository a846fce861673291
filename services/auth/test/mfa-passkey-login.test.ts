import { describe, expect, it } from 'vitest';
import { ContractChecker } from '../../../test/support/contract.js';
import { signUp, useMailStack } from '../../../test/support/mail-stack.js';
import { addPasskey, newAuthenticator } from '../../../test/support/passkeys.js';
import {
  claimsOf,
  mfaStep,
  passwordStep,
  signUpWithTotp,
  totpCodes,
} from '../../../test/support/second-factor.js';
import type { SoftwareAuthenticator } from '../../../test/support/software-authenticator.js';

const contract = new ContractChecker('auth.yaml');
const ctx = useMailStack();
const api = () => ctx.stack.authApi;

/** A new account whose only second factor is a passkey of a fresh software authenticator. */
async function withPasskeyOnly(opts: { backedUp?: boolean } = {}) {
  const account = await signUp(ctx);
  const authenticator = newAuthenticator(opts);
  await addPasskey(api(), account, authenticator);
  return { ...account, authenticator };
}

const passkeyOptions = async (mfaToken: string) => {
  const res = await api().post('/login/mfa/passkey/options', { mfa_token: mfaToken });
  contract.check('loginMfaPasskeyOptions', res);
  return res;
};

/** The passkey step's options and the authenticator's answer (no user verification needed). */
async function passkeyFactor(mfaToken: string, authenticator: SoftwareAuthenticator) {
  const started = await passkeyOptions(mfaToken);
  expect(started.status).toBe(200);
  return {
    mfa_token: mfaToken,
    method: 'webauthn',
    challenge_id: started.body.challenge_id as string,
    response: authenticator.get(started.body.options, { userVerified: false }),
  };
}

const failures = async (userId: number) => {
  const { rows } = await ctx.stack.authDb.query<{ details: string }>(
    "SELECT details FROM audit_log WHERE user_id = ? AND action = 'mfa_verification' AND reason = 'wrong_code' ORDER BY id",
    [userId],
  );
  return rows.map((r) => JSON.parse(r.details) as { method: string; failures: number });
};

describe('POST /login/mfa with a passkey (method webauthn)', () => {
  it("When an account's only factor is a passkey, then /login asks for webauthn and the passkey's assertion finishes the login with hwk and aal 2", async () => {
    const account = await withPasskeyOnly();
    const login = await api().post('/login', {
      login: account.login,
      password: account.password,
    });
    contract.check('login', login);
    expect(login.status).toBe(401);
    expect(login.body).toMatchObject({ type: 'urn:problem:mfa-required', methods: ['webauthn'] });
    const mfaToken = login.body.mfa_token as string;

    const started = await passkeyOptions(mfaToken);
    expect(started.status).toBe(200);
    expect(started.body.options.userVerification).toBe('preferred');
    expect(started.body.options.allowCredentials.map((c: { id: string }) => c.id)).toEqual([
      account.authenticator.credentials[0]!.id,
    ]);
    // Asking for the options does not spend the token: a second request gets a fresh challenge.
    const again = await passkeyOptions(mfaToken);
    expect(again.status).toBe(200);
    expect(again.body.challenge_id).not.toBe(started.body.challenge_id);

    const done = await mfaStep(ctx, {
      mfa_token: mfaToken,
      method: 'webauthn',
      challenge_id: again.body.challenge_id,
      response: account.authenticator.get(again.body.options, { userVerified: false }),
    });
    expect(done.status).toBe(200);
    expect(done.body.user.id).toBe(account.userId);
    expect(claimsOf(done)).toMatchObject({ amr: ['pwd', 'hwk', 'mfa'], aal: 2 });

    const token = done.body.token_pair.access_token.token as string;
    const status = await api().get('/mfa', { token });
    contract.check('getMfaStatus', status);
    expect(status.body).toMatchObject({ methods: ['webauthn'], totp: 'none', passkeys: 1 });

    // The token is spent now: no more options for it.
    const spent = await passkeyOptions(mfaToken);
    expect(spent.status).toBe(401);
    expect(spent.body.type).toBe('urn:problem:invalid-mfa-token');
  });

  it('When the passkey is a synced one (backup eligible), then the session says swk', async () => {
    const account = await withPasskeyOnly({ backedUp: true });
    const mfaToken = await passwordStep(ctx, account);
    const done = await mfaStep(ctx, await passkeyFactor(mfaToken, account.authenticator));
    expect(done.status).toBe(200);
    expect(claimsOf(done)).toMatchObject({ amr: ['pwd', 'swk', 'mfa'], aal: 2 });
  });

  it('When the assertion is tampered with, then it counts as a wrong factor, its challenge is spent, and the token stays good for a new one', async () => {
    const account = await withPasskeyOnly();
    const mfaToken = await passwordStep(ctx, account);
    const factor = await passkeyFactor(mfaToken, account.authenticator);
    const signature = Buffer.from(factor.response.response.signature, 'base64url');
    signature[10]! ^= 0xff;
    const tampered = {
      ...factor,
      response: {
        ...factor.response,
        response: { ...factor.response.response, signature: signature.toString('base64url') },
      },
    };
    const refused = await mfaStep(ctx, tampered);
    expect(refused.status).toBe(401);
    expect(refused.body.type).toBe('urn:problem:invalid-mfa-code');
    expect(await failures(account.userId)).toEqual([{ method: 'webauthn', failures: 1 }]);

    // The untampered assertion of that challenge comes too late: the challenge was answered.
    const late = await mfaStep(ctx, factor);
    expect(late.status).toBe(401);
    expect(late.body.type).toBe('urn:problem:invalid-mfa-code');
    expect((await failures(account.userId)).map((f) => f.failures)).toEqual([1, 2]);

    const done = await mfaStep(ctx, await passkeyFactor(mfaToken, account.authenticator));
    expect(done.status).toBe(200);
    expect(claimsOf(done)).toMatchObject({ amr: ['pwd', 'hwk', 'mfa'], aal: 2 });
  });

  it("When another account's passkey or a challenge of a passwordless login answers, then it is a wrong factor", async () => {
    const account = await withPasskeyOnly();
    const other = await withPasskeyOnly();
    const mfaToken = await passwordStep(ctx, account);
    const foreign = await passkeyOptions(mfaToken);
    // The other authenticator answers as if offered its own credential.
    const otherOptions = { ...foreign.body.options, allowCredentials: [] };
    const byOther = await mfaStep(ctx, {
      mfa_token: mfaToken,
      method: 'webauthn',
      challenge_id: foreign.body.challenge_id,
      response: other.authenticator.get(otherOptions, { userVerified: false }),
    });
    expect(byOther.status).toBe(401);
    expect(byOther.body.type).toBe('urn:problem:invalid-mfa-code');

    const passwordless = await api().post('/login/passkey/options');
    const wrongCeremony = await mfaStep(ctx, {
      mfa_token: mfaToken,
      method: 'webauthn',
      challenge_id: passwordless.body.challenge_id,
      response: account.authenticator.get(passwordless.body.options),
    });
    expect(wrongCeremony.status).toBe(401);
    expect(wrongCeremony.body.type).toBe('urn:problem:invalid-mfa-code');
    expect((await failures(account.userId)).map((f) => f.failures)).toEqual([1, 2]);
  });

  it('When the options are asked with an unknown mfa_token, then 401 invalid-mfa-token, and a malformed one is 422', async () => {
    const unknown = await passkeyOptions('A'.repeat(43));
    expect(unknown.status).toBe(401);
    expect(unknown.body.type).toBe('urn:problem:invalid-mfa-token');
    const malformed = await api().post('/login/mfa/passkey/options', { mfa_token: 'not a token' });
    contract.check('loginMfaPasskeyOptions', malformed);
    expect(malformed.status).toBe(422);
    const missing = await api().post('/login/mfa/passkey/options', {});
    expect(missing.status).toBe(422);
  });

  it('When an account has an authenticator app only, then the passkey step is 409 no-passkey and the token stays good', async () => {
    const account = await signUpWithTotp(ctx);
    const mfaToken = await passwordStep(ctx, account);
    const refused = await passkeyOptions(mfaToken);
    expect(refused.status).toBe(409);
    expect(refused.body.type).toBe('urn:problem:no-passkey');
    const done = await mfaStep(ctx, {
      mfa_token: mfaToken,
      method: 'totp',
      code: account.codes.current,
    });
    expect(done.status).toBe(200);
  });

  it('When an account has an authenticator app and a passkey, then both are offered and either finishes the login', async () => {
    const account = await signUpWithTotp(ctx);
    const authenticator = newAuthenticator();
    await addPasskey(api(), account, authenticator);
    const login = await api().post('/login', {
      login: account.login,
      password: account.password,
    });
    expect(login.status).toBe(401);
    expect(login.body.methods).toEqual(['totp', 'webauthn', 'recovery_code']);
    const byPasskey = await mfaStep(ctx, await passkeyFactor(login.body.mfa_token, authenticator));
    expect(byPasskey.status).toBe(200);
    expect(claimsOf(byPasskey)).toMatchObject({ amr: ['pwd', 'hwk', 'mfa'], aal: 2 });

    const codes = await totpCodes(account.secret);
    const byApp = await mfaStep(ctx, {
      mfa_token: await passwordStep(ctx, account),
      method: 'totp',
      code: codes.current,
    });
    expect(byApp.status).toBe(200);
    expect(claimsOf(byApp)).toMatchObject({ amr: ['pwd', 'otp', 'mfa'], aal: 2 });
  });
});
