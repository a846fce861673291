import { describe, expect, it } from 'vitest';
import { ContractChecker } from '../../../test/support/contract.js';
import { signUp, useMailStack } from '../../../test/support/mail-stack.js';
import { addPasskey, assertion, attest, newAuthenticator } from '../../../test/support/passkeys.js';

const contract = new ContractChecker('auth.yaml');
const ctx = useMailStack({ LOGIN_MAX_FAILURES_PER_ACCOUNT_IP: '3' });

const api = () => ctx.stack.authApi;
const login = (account: { login: string; password: string }) =>
  api().post('/login', { login: account.login, password: account.password });

async function signedUpWithSecondSession() {
  const account = await signUp(ctx);
  const other = (await login(account)).body.token_pair.access_token.token as string;
  return { account, other };
}

const sessionAlive = async (token: string) =>
  (await api().post('/logout-all', undefined, { token })).status !== 401;

describe('POST /passkeys/registration', () => {
  it('When the password is confirmed and a software authenticator attests, then the passkey is stored, the other sessions end and a notice is mailed', async () => {
    const { account, other } = await signedUpWithSecondSession();
    const attestation = await attest(api(), account, newAuthenticator({ backedUp: true }));
    const res = await api().post(
      '/passkeys/registration',
      { ...attestation, name: 'Work laptop' },
      { token: account.token },
    );
    contract.check('registerPasskey', res);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      name: 'Work laptop',
      last_used_at: null,
      transports: ['internal', 'hybrid'],
      backed_up: true,
      device_type: 'multiDevice',
    });

    expect(await sessionAlive(other)).toBe(false);
    await ctx.stack.settle();
    expect((await ctx.stack.userApi.get('/profile', { token: other })).status).toBe(401);
    const list = await api().get('/passkeys', { token: account.token });
    contract.check('listPasskeys', list);
    expect(list.body.passkeys.map((p: { id: number }) => p.id)).toEqual([res.body.id]);
    const notice = await ctx.mailbox.next(account.email);
    expect(notice.subject).toMatch(/passkey was added/);
    expect(notice.text).toContain('Work laptop');
    const { rows } = await ctx.stack.authDb.query<{ action: string }>(
      "SELECT action FROM audit_log WHERE user_id = ? AND action LIKE 'passkey%'",
      [account.userId],
    );
    expect(rows.map((r) => r.action)).toEqual(['passkey_registered']);
  });

  it('When the options ask for a discoverable credential, then the user handle is random and opaque, neither the id nor the login', async () => {
    const account = await signUp(ctx);
    const res = await api().post(
      '/passkeys/registration/options',
      { password: account.password },
      { token: account.token },
    );
    contract.check('passkeyRegistrationOptions', res);
    const { options } = res.body;
    expect(options.authenticatorSelection.residentKey).toBe('required');
    expect(options.rp.id).toBe('app.example.test');
    const handle = Buffer.from(options.user.id, 'base64url');
    expect(handle).toHaveLength(32);
    // Not derived from the account: not its login's or its id's bytes, whatever their encoding.
    expect(handle.toString()).not.toContain(account.login);
    const id = BigInt(account.userId);
    const idForms = [Buffer.from(String(account.userId)), Buffer.alloc(8), Buffer.alloc(4)];
    idForms[1]!.writeBigUInt64BE(id);
    idForms[2]!.writeUInt32BE(account.userId);
    for (const form of idForms) expect(handle.subarray(0, form.length).equals(form)).toBe(false);
    // And random: another account's handle shares no more than chance with it.
    const other = await signUp(ctx);
    const theirs = await api().post(
      '/passkeys/registration/options',
      { password: other.password },
      { token: other.token },
    );
    expect(theirs.body.options.user.id).not.toBe(options.user.id);
    const again = await api().post(
      '/passkeys/registration/options',
      { password: account.password },
      { token: account.token },
    );
    expect(again.body.options.user.id).toBe(options.user.id);
    expect(again.body.options.challenge).not.toBe(options.challenge);
  });

  it('When the password is wrong, then no options are given, and enough of them lock the account like failed logins', async () => {
    const account = await signUp(ctx);
    for (let i = 0; i < 3; i++) {
      const res = await api().post(
        '/passkeys/registration/options',
        { password: 'NotThePassword1!' },
        { token: account.token },
      );
      contract.check('passkeyRegistrationOptions', res);
      expect(res.status).toBe(403);
      expect(res.body.type).toBe('urn:problem:wrong-password');
    }
    expect((await login(account)).status).toBe(429);
  });

  it('When the attestation is for another origin, then it is refused with 400 and nothing is stored', async () => {
    const account = await signUp(ctx);
    const attestation = await attest(api(), account, newAuthenticator(), {
      origin: 'https://phishing.example.test',
    });
    const res = await api().post('/passkeys/registration', attestation, { token: account.token });
    contract.check('registerPasskey', res);
    expect(res.status).toBe(400);
    expect(res.body.type).toBe('urn:problem:passkey-rejected');
    expect((await api().get('/passkeys', { token: account.token })).body.passkeys).toEqual([]);
  });

  it('When a challenge is replayed, or used by another account, then it is refused', async () => {
    const account = await signUp(ctx);
    const intruder = await signUp(ctx);
    const authenticator = newAuthenticator();
    const attestation = await attest(api(), account, authenticator);
    const stolen = await api().post('/passkeys/registration', attestation, {
      token: intruder.token,
    });
    expect(stolen.status).toBe(400);
    const first = await api().post('/passkeys/registration', attestation, { token: account.token });
    expect(first.status).toBe(201);
    const replayed = await api().post('/passkeys/registration', attestation, {
      token: account.token,
    });
    expect(replayed.status).toBe(400);
    expect(replayed.body.type).toBe('urn:problem:passkey-rejected');
  });

  it('When the body is not a WebAuthn response or the name breaks the rules, then it gets 422', async () => {
    const account = await signUp(ctx);
    const attestation = await attest(api(), account, newAuthenticator());
    for (const body of [
      { ...attestation, name: '  padded ' },
      { ...attestation, name: 'tab\there' },
      { ...attestation, name: 'x'.repeat(65) },
      { ...attestation, challenge_id: 'not-a-uuid' },
      { ...attestation, response: { ...attestation.response, rawId: 'not base64url!' } },
      { challenge_id: attestation.challenge_id },
    ]) {
      const res = await api().post('/passkeys/registration', body, { token: account.token });
      contract.check('registerPasskey', res);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(422);
    }
    const garbled = {
      ...attestation,
      response: {
        ...attestation.response,
        response: { ...attestation.response.response, attestationObject: 'AAAA' },
      },
    };
    const res = await api().post('/passkeys/registration', garbled, { token: account.token });
    contract.check('registerPasskey', res);
    expect(res.status).toBe(400);
  });

  it('When the account has passkeys, then new options exclude their credentials, so an authenticator does not register twice', async () => {
    const account = await signUp(ctx);
    const first = await addPasskey(api(), account, newAuthenticator());
    const [stored] = (
      await ctx.stack.authDb.query<{ credential_id: string }>(
        'SELECT credential_id FROM passkeys WHERE id = ?',
        [first.id],
      )
    ).rows;
    const options = await api().post(
      '/passkeys/registration/options',
      { password: account.password },
      { token: account.token },
    );
    expect(options.body.options.excludeCredentials.map((c: { id: string }) => c.id)).toEqual([
      stored!.credential_id,
    ]);
  });
});

describe('PATCH and DELETE /passkeys/{id}', () => {
  it('When the owner renames a passkey, then the list shows the new name; another account gets 404 as for an unknown id', async () => {
    const account = await signUp(ctx);
    const intruder = await signUp(ctx);
    const passkey = await addPasskey(api(), account, newAuthenticator());
    await ctx.mailbox.next(account.email);
    const renamed = await api().patch(
      `/passkeys/${passkey.id}`,
      { name: 'Телефон 2' },
      { token: account.token },
    );
    contract.check('renamePasskey', renamed);
    expect(renamed.body.name).toBe('Телефон 2');
    const foreign = await api().patch(
      `/passkeys/${passkey.id}`,
      { name: 'Mine' },
      { token: intruder.token },
    );
    const unknown = await api().patch(
      '/passkeys/999999',
      { name: 'Mine' },
      { token: intruder.token },
    );
    contract.check('renamePasskey', foreign);
    expect(foreign.status).toBe(404);
    expect(unknown.status).toBe(404);
    // The largest id there can be is unknown too; past it (32-bit ids) the contract refuses it.
    const largest = await api().patch(
      '/passkeys/2147483647',
      { name: 'Mine' },
      { token: intruder.token },
    );
    contract.check('renamePasskey', largest);
    expect(largest.status).toBe(404);
    const huge = await api().patch(
      '/passkeys/9007199254740991',
      { name: 'Mine' },
      { token: intruder.token },
    );
    contract.check('renamePasskey', huge);
    expect(huge.status).toBe(422);
    expect(foreign.body.title).toBe(unknown.body.title);
    expect(
      (await api().patch('/passkeys/0x1', { name: 'x' }, { token: account.token })).status,
    ).toBe(422);
    const list = await api().get('/passkeys', { token: account.token });
    expect(list.body.passkeys[0].name).toBe('Телефон 2');
  });

  it('When the owner deletes a passkey with the password, then it is gone, the other sessions end and a notice is mailed; another account cannot', async () => {
    const account = await signUp(ctx);
    const intruder = await signUp(ctx);
    const authenticator = newAuthenticator();
    const passkey = await addPasskey(api(), account, authenticator, 'Old key');
    await ctx.mailbox.next(account.email);
    // The passkey is a second factor now: the other session is a passwordless login's.
    const signedIn = await api().post('/login/passkey', await assertion(api(), authenticator));
    const other = signedIn.body.token_pair.access_token.token as string;

    const foreign = await api().send(
      'DELETE',
      `/passkeys/${passkey.id}`,
      { password: intruder.password },
      { token: intruder.token },
    );
    contract.check('deletePasskey', foreign);
    expect(foreign.status).toBe(404);
    const wrong = await api().send(
      'DELETE',
      `/passkeys/${passkey.id}`,
      { password: 'NotThePassword1!' },
      { token: account.token },
    );
    expect(wrong.status).toBe(403);
    const res = await api().send(
      'DELETE',
      `/passkeys/${passkey.id}`,
      { password: account.password },
      { token: account.token },
    );
    contract.check('deletePasskey', res);
    expect(res.status).toBe(204);
    expect((await api().get('/passkeys', { token: account.token })).body.passkeys).toEqual([]);
    expect(await sessionAlive(other)).toBe(false);
    const notice = await ctx.mailbox.next(account.email);
    expect(notice.subject).toMatch(/passkey was removed/);
    expect(notice.text).toContain('Old key');
  });
});
