import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ContractChecker } from '../../../test/support/contract.js';
import { signUp, useMailStack } from '../../../test/support/mail-stack.js';
import {
  mfaStep,
  passwordStep,
  signUpWithTotp,
  totpCodes,
} from '../../../test/support/second-factor.js';

const contract = new ContractChecker('auth.yaml');
const ctx = useMailStack();

const post = async (operationId: string, path: string, body: unknown, token: string) => {
  const res = await ctx.stack.authApi.post(path, body, { token });
  contract.check(operationId, res);
  return res;
};

/** A session of the account proven with its authenticator (aal 2). */
async function strongSession(account: Awaited<ReturnType<typeof signUpWithTotp>>, code: string) {
  const res = await mfaStep(ctx, {
    mfa_token: await passwordStep(ctx, account),
    method: 'totp',
    code,
  });
  expect(res.status).toBe(200);
  return res.body.token_pair.access_token.token as string;
}

describe('enrolling and removing an authenticator app', () => {
  it('When the enrolment starts, then it needs the current password and answers the secret, its otpauth URI and a QR code', async () => {
    const account = await signUp(ctx);
    const wrong = await post(
      'startTotpEnrolment',
      '/mfa/totp',
      { password: 'Nope12345!' },
      account.token,
    );
    expect(wrong.status).toBe(403);
    expect(wrong.body.type).toBe('urn:problem:wrong-password');
    const res = await post(
      'startTotpEnrolment',
      '/mfa/totp',
      { password: account.password },
      account.token,
    );
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body.secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(res.body.otpauth_uri);
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.searchParams.get('secret')).toBe(res.body.secret);
    expect(decodeURIComponent(uri.pathname)).toContain(account.login);
    expect(res.body.qr_svg).toMatch(/^<svg/);
    // Not confirmed yet: the login does not ask for it.
    const status = await ctx.stack.authApi.get('/mfa', { token: account.token });
    contract.check('getMfaStatus', status);
    expect(status.body).toEqual({
      methods: [],
      totp: 'pending',
      recovery_codes_remaining: 0,
      passkeys: 0,
    });
    const login = await ctx.stack.authApi.post('/login', {
      login: account.login,
      password: account.password,
    });
    expect(login.status).toBe(200);
  });

  it('When the secret is stored, then it is sealed (AES-256-GCM), never in clear', async () => {
    const account = await signUpWithTotp(ctx);
    const { rows } = await ctx.stack.authDb.query<{ secret_sealed: string }>(
      'SELECT secret_sealed FROM totp_factors WHERE user_id = ?',
      [account.userId],
    );
    expect(rows[0]!.secret_sealed).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(rows[0]!.secret_sealed).not.toContain(account.secret);
  });

  it('When the first code is wrong, then nothing changes; when it is right, then the other sessions end, this one stays, ten recovery codes are shown and a notice is mailed', async () => {
    const account = await signUp(ctx);
    const other = await ctx.stack.authApi.post('/login', {
      login: account.login,
      password: account.password,
    });
    const started = await post(
      'startTotpEnrolment',
      '/mfa/totp',
      { password: account.password },
      account.token,
    );
    const codes = await totpCodes(started.body.secret);
    const wrongCode = codes.current === '000000' ? '111111' : '000000';
    const wrong = await post(
      'confirmTotpEnrolment',
      '/mfa/totp/confirm',
      { code: wrongCode },
      account.token,
    );
    expect(wrong.status).toBe(403);
    expect(wrong.body.type).toBe('urn:problem:invalid-mfa-code');

    const res = await post(
      'confirmTotpEnrolment',
      '/mfa/totp/confirm',
      { code: codes.current },
      account.token,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body.recovery_codes).toHaveLength(10);
    expect(new Set(res.body.recovery_codes).size).toBe(10);
    const again = await post(
      'confirmTotpEnrolment',
      '/mfa/totp/confirm',
      { code: codes.next },
      account.token,
    );
    expect(again.status).toBe(409);
    expect(again.body.type).toBe('urn:problem:no-pending-enrolment');

    const otherToken = other.body.token_pair.access_token.token as string;
    expect((await ctx.stack.authApi.get('/mfa', { token: otherToken })).status).toBe(401);
    await ctx.stack.settle();
    expect((await ctx.stack.userApi.get('/profile', { token: otherToken })).status).toBe(401);
    const status = await ctx.stack.authApi.get('/mfa', { token: account.token });
    expect(status.body).toEqual({
      methods: ['totp', 'recovery_code'],
      totp: 'enrolled',
      recovery_codes_remaining: 10,
      passkeys: 0,
    });
    const mail = await ctx.mailbox.next(account.email);
    expect(mail.subject).toMatch(/authenticator/i);

    const restart = await post(
      'startTotpEnrolment',
      '/mfa/totp',
      { password: account.password },
      account.token,
    );
    expect(restart.status).toBe(409);
    expect(restart.body.type).toBe('urn:problem:totp-already-enrolled');
  });

  it('When the session was proven by the password alone, then removing the factor and new recovery codes get 403 insufficient-aal', async () => {
    const account = await signUpWithTotp(ctx);
    for (const [operationId, path] of [
      ['removeTotp', '/mfa/totp/disable'],
      ['regenerateRecoveryCodes', '/mfa/recovery-codes'],
    ] as const) {
      const res = await post(operationId, path, { password: account.password }, account.token);
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ type: 'urn:problem:insufficient-aal', required_aal: 2 });
    }
  });

  it('When a session proven with the factor removes it with the password, then logins need the password only again, the other sessions end and a notice is mailed', async () => {
    const account = await signUpWithTotp(ctx);
    const strong = await strongSession(account, account.codes.current);
    const wrong = await post('removeTotp', '/mfa/totp/disable', { password: 'Nope12345!' }, strong);
    expect(wrong.status).toBe(403);
    expect(wrong.body.type).toBe('urn:problem:wrong-password');
    const removed = await post(
      'removeTotp',
      '/mfa/totp/disable',
      { password: account.password },
      strong,
    );
    expect(removed.status).toBe(204);
    expect((await ctx.stack.authApi.get('/mfa', { token: account.token })).status).toBe(401);
    expect((await ctx.stack.authApi.get('/mfa', { token: strong })).body).toEqual({
      methods: [],
      totp: 'none',
      recovery_codes_remaining: 0,
      passkeys: 0,
    });
    const login = await ctx.stack.authApi.post('/login', {
      login: account.login,
      password: account.password,
    });
    expect(login.status).toBe(200);
    expect((await ctx.mailbox.next(account.email)).subject).toMatch(/removed/i);
    const twice = await post(
      'removeTotp',
      '/mfa/totp/disable',
      { password: account.password },
      strong,
    );
    expect(twice.status).toBe(409);
    expect(twice.body.type).toBe('urn:problem:no-second-factor');
  });
});

describe('recovery codes', () => {
  it('When a recovery code finishes a login, then it works once, a notice is mailed, and the others still work', async () => {
    const account = await signUpWithTotp(ctx);
    const [first, second] = account.recoveryCodes;
    const used = await mfaStep(ctx, {
      mfa_token: await passwordStep(ctx, account),
      method: 'recovery_code',
      code: first!.toLowerCase().replace('-', ' '),
    });
    expect(used.status).toBe(200);
    const notice = await ctx.mailbox.next(account.email);
    expect(notice.subject).toMatch(/recovery code/i);
    expect(notice.text).toMatch(/9 codes are left/);
    const again = await mfaStep(ctx, {
      mfa_token: await passwordStep(ctx, account),
      method: 'recovery_code',
      code: first,
    });
    expect(again.status).toBe(401);
    expect(again.body.type).toBe('urn:problem:invalid-mfa-code');
    const other = await mfaStep(ctx, {
      mfa_token: await passwordStep(ctx, account),
      method: 'recovery_code',
      code: second,
    });
    expect(other.status).toBe(200);
  });

  it('When one recovery code is sent with several logins at once, then exactly one gets a session', async () => {
    const account = await signUpWithTotp(ctx);
    const tokens = [];
    for (let i = 0; i < 4; i++) tokens.push(await passwordStep(ctx, account));
    const results = await Promise.all(
      tokens.map((mfaToken) =>
        mfaStep(ctx, {
          mfa_token: mfaToken,
          method: 'recovery_code',
          code: account.recoveryCodes[3],
        }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 401, 401, 401]);
  });

  it('When the codes are regenerated, then the old ones stop working and the new ones work, and a notice is mailed', async () => {
    const account = await signUpWithTotp(ctx);
    const strong = await strongSession(account, account.codes.current);
    const res = await post(
      'regenerateRecoveryCodes',
      '/mfa/recovery-codes',
      { password: account.password },
      strong,
    );
    expect(res.status).toBe(200);
    const fresh = res.body.recovery_codes as string[];
    expect(fresh).toHaveLength(10);
    expect(fresh.filter((code) => account.recoveryCodes.includes(code))).toEqual([]);
    expect((await ctx.mailbox.next(account.email)).subject).toMatch(/recovery codes/i);
    const old = await mfaStep(ctx, {
      mfa_token: await passwordStep(ctx, account),
      method: 'recovery_code',
      code: account.recoveryCodes[0],
    });
    expect(old.status).toBe(401);
    const renewed = await mfaStep(ctx, {
      mfa_token: await passwordStep(ctx, account),
      method: 'recovery_code',
      code: fresh[0],
    });
    expect(renewed.status).toBe(200);
    const { rows } = await ctx.stack.authDb.query<{ code_hash: string }>(
      'SELECT code_hash FROM recovery_codes WHERE user_id = ?',
      [account.userId],
    );
    // Stored as keyed hashes: not the codes, nor their plain SHA-256.
    expect(rows).toHaveLength(10);
    const plain = fresh.map((code) =>
      createHash('sha256').update(code.replace('-', '')).digest('hex'),
    );
    for (const row of rows) {
      expect(row.code_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(plain).not.toContain(row.code_hash);
    }
  });
});
