import { describe, expect, it } from 'vitest';
import { ContractChecker } from '../../../test/support/contract.js';
import { signUp, useMailStack } from '../../../test/support/mail-stack.js';
import { metricValue, scrape } from '../../../test/support/metrics.js';
import { addPasskey, assertion, newAuthenticator } from '../../../test/support/passkeys.js';

const contract = new ContractChecker('auth.yaml');
const ctx = useMailStack();
const api = () => ctx.stack.authApi;

/** A new account with one passkey of a fresh software authenticator. */
async function withPasskey(opts: { countSignatures?: boolean } = {}) {
  const account = await signUp(ctx);
  const authenticator = newAuthenticator(opts);
  const passkey = await addPasskey(api(), account, authenticator);
  return { account, authenticator, passkey };
}

const loginWith = async (body: unknown) => {
  const res = await api().post('/login/passkey', body);
  contract.check('loginWithPasskey', res);
  return res;
};

describe('POST /login/passkey', () => {
  it('When a discoverable passkey signs the challenge, then the account gets a full session that the user service accepts', async () => {
    const { account, authenticator, passkey } = await withPasskey();
    const started = await api().post('/login/passkey/options');
    contract.check('passkeyLoginOptions', started);
    expect(started.body.options.userVerification).toBe('required');
    expect(started.body.options.allowCredentials ?? []).toEqual([]);
    const res = await loginWith({
      challenge_id: started.body.challenge_id,
      response: authenticator.get(started.body.options),
    });
    expect(res.status).toBe(200);
    expect(res.body.user.id).toBe(account.userId);
    const token = res.body.token_pair.access_token.token as string;
    expect((await ctx.stack.userApi.get('/profile', { token })).status).toBe(200);
    const refreshed = await api().post('/refresh', {
      refresh_token: res.body.token_pair.refresh_token.token,
    });
    expect(refreshed.status).toBe(200);

    const listed = await api().get('/passkeys', { token });
    expect(listed.body.passkeys[0].id).toBe(passkey.id);
    expect(listed.body.passkeys[0].last_used_at).not.toBeNull();
    const { rows } = await ctx.stack.authDb.query<{ outcome: string; details: string }>(
      "SELECT outcome, details FROM audit_log WHERE user_id = ? AND action = 'login'",
      [account.userId],
    );
    expect(rows.map((r) => [r.outcome, JSON.parse(r.details).method])).toEqual([
      ['success', 'passkey'],
    ]);
  });

  it('When the same challenge is answered twice, then the second is refused', async () => {
    const { authenticator } = await withPasskey();
    const body = await assertion(api(), authenticator);
    expect((await loginWith(body)).status).toBe(200);
    const replay = await loginWith(body);
    expect(replay.status).toBe(401);
    expect(replay.body.type).toBe('urn:problem:passkey-rejected');
  });

  it('When one challenge is answered twice at once, then exactly one login succeeds', async () => {
    const { authenticator } = await withPasskey({ countSignatures: false });
    const started = await api().post('/login/passkey/options');
    const bodies = [0, 1, 2].map(() => ({
      challenge_id: started.body.challenge_id,
      response: authenticator.get(started.body.options),
    }));
    const statuses = (await Promise.all(bodies.map(loginWith))).map((r) => r.status).sort();
    expect(statuses).toEqual([200, 401, 401]);
  });

  it('When the authenticator did not verify the user, then the passwordless login is refused', async () => {
    const { authenticator } = await withPasskey();
    const res = await loginWith(await assertion(api(), authenticator, { userVerified: false }));
    expect(res.status).toBe(401);
  });

  it('When the signature or the client data is tampered with, or the origin is foreign, then it is refused', async () => {
    const { authenticator } = await withPasskey();
    const signed = await assertion(api(), authenticator);
    const signature = Buffer.from(signed.response.response.signature, 'base64url');
    signature[10]! ^= 0xff;
    const tamperedSignature = {
      ...signed,
      response: {
        ...signed.response,
        response: { ...signed.response.response, signature: signature.toString('base64url') },
      },
    };
    expect((await loginWith(tamperedSignature)).status).toBe(401);

    const other = await assertion(api(), authenticator);
    const clientData = JSON.parse(
      Buffer.from(other.response.response.clientDataJSON, 'base64url').toString(),
    );
    const forged = Buffer.from(JSON.stringify({ ...clientData, origin: 'https://evil.test' }));
    const tamperedClientData = {
      ...other,
      response: {
        ...other.response,
        response: { ...other.response.response, clientDataJSON: forged.toString('base64url') },
      },
    };
    expect((await loginWith(tamperedClientData)).status).toBe(401);

    const phished = await assertion(api(), authenticator, { origin: 'https://evil.test' });
    expect((await loginWith(phished)).status).toBe(401);
    expect((await loginWith(await assertion(api(), authenticator))).status).toBe(200);
  });

  it('When the sign count goes back (a cloned key), then it is refused; an authenticator that never counts passes', async () => {
    const { authenticator } = await withPasskey();
    expect((await loginWith(await assertion(api(), authenticator))).status).toBe(200);
    expect((await loginWith(await assertion(api(), authenticator, { signCount: 1 }))).status).toBe(
      401,
    );
    const counting = authenticator.credentials[0]!.signCount;
    const same = await assertion(api(), authenticator, { signCount: counting - 1 });
    expect((await loginWith(same)).status).toBe(401);

    const synced = await withPasskey({ countSignatures: false });
    for (let i = 0; i < 2; i++) {
      expect((await loginWith(await assertion(api(), synced.authenticator))).status).toBe(200);
    }
  });

  it("When the user handle is missing or another account's, then it is refused", async () => {
    const { authenticator } = await withPasskey();
    const victim = await withPasskey();
    const victimHandle = victim.authenticator.credentials[0]!.userHandle;
    const without = await assertion(api(), authenticator, { userHandle: null });
    expect((await loginWith(without)).status).toBe(401);
    const swapped = await assertion(api(), authenticator, { userHandle: victimHandle });
    expect((await loginWith(swapped)).status).toBe(401);
  });

  it('When the challenge id is unknown or the credential is not registered, then it is one 401', async () => {
    const { authenticator } = await withPasskey();
    const unknownChallenge = await assertion(api(), authenticator);
    const res = await loginWith({
      ...unknownChallenge,
      challenge_id: '00000000-0000-4000-8000-000000000000',
    });
    expect(res.status).toBe(401);
    const registrationOnly = await assertion(api(), authenticator);
    const unregistered = await loginWith({
      challenge_id: registrationOnly.challenge_id,
      response: {
        ...registrationOnly.response,
        id: 'AAAAAAAAAAAAAAAAAAAAAA',
        rawId: 'AAAAAAAAAAAAAAAAAAAAAA',
      },
    });
    expect(unregistered.status).toBe(401);
    expect(unregistered.body.detail).toBe(res.body.detail);
    expect((await loginWith({ challenge_id: 'x', response: {} })).status).toBe(422);
  });

  it('When the account is deactivated, then its passkey gets 403 like its password', async () => {
    const { account, authenticator } = await withPasskey();
    expect((await api().post('/account-delete', undefined, { token: account.token })).status).toBe(
      200,
    );
    const res = await loginWith(await assertion(api(), authenticator));
    expect(res.status).toBe(403);
  });

  it('When logins succeed and fail, then the ceremonies and the logins are counted', async () => {
    const before = await scrape(api().baseUrl);
    const { authenticator } = await withPasskey();
    await loginWith(await assertion(api(), authenticator));
    await loginWith(await assertion(api(), authenticator, { userVerified: false }));
    const after = await scrape(api().baseUrl);
    const delta = (name: string, labels: Record<string, string>) =>
      (metricValue(after, name, labels) ?? 0) - (metricValue(before, name, labels) ?? 0);
    expect(
      delta('auth_passkey_ceremonies_total', { ceremony: 'login', outcome: 'succeeded' }),
    ).toBe(1);
    expect(delta('auth_passkey_ceremonies_total', { ceremony: 'login', outcome: 'failed' })).toBe(
      1,
    );
    expect(
      delta('auth_passkey_ceremonies_total', { ceremony: 'registration', outcome: 'succeeded' }),
    ).toBe(1);
    expect(delta('auth_passkey_changes_total', { change: 'added' })).toBe(1);
    expect(delta('auth_logins_total', { result: 'success', reason: 'ok' })).toBe(1);
  });
});
