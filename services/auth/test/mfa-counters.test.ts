import { describe, expect, it } from 'vitest';
import { useMailStack } from '../../../test/support/mail-stack.js';
import { mfaStep, passwordStep, signUpWithTotp } from '../../../test/support/second-factor.js';

// Low limits of its own: three wrong codes lock an account's second factor, four wrong passwords its
// password (for a second, then longer); an mfa_token is good for four seconds.
const ctx = useMailStack({
  MFA_MAX_FAILURES: '3',
  LOGIN_MAX_FAILURES_PER_ACCOUNT: '4',
  MFA_TOKEN_TTL_SECONDS: '4',
});

const wrong = (code: string) => (code === '000000' ? '111111' : '000000');

describe('the second factor has counters of its own', () => {
  it('When wrong codes lock the second factor, then even the right code gets 429, but the password is not locked', async () => {
    const account = await signUpWithTotp(ctx);
    const mfaToken = await passwordStep(ctx, account);
    for (let i = 0; i < 3; i++) {
      const res = await mfaStep(ctx, {
        mfa_token: mfaToken,
        method: 'totp',
        code: wrong(account.codes.current),
      });
      expect(res.status).toBe(401);
    }
    const locked = await mfaStep(ctx, {
      mfa_token: mfaToken,
      method: 'totp',
      code: account.codes.current,
    });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(60);
    const byRecoveryCode = await mfaStep(ctx, {
      mfa_token: mfaToken,
      method: 'recovery_code',
      code: account.recoveryCodes[0],
    });
    expect(byRecoveryCode.status).toBe(429);

    // The password's counters saw none of it: the password still gets its mfa-required answer, and
    // a wrong password is an ordinary 401.
    const fresh = await passwordStep(ctx, account);
    expect(fresh).toBeTruthy();
    const wrongPassword = await ctx.stack.authApi.post('/login', {
      login: account.login,
      password: 'NotThePassword1!',
    });
    expect(wrongPassword.status).toBe(401);
    expect(wrongPassword.body.type).toBe('urn:problem:invalid-credentials');
  });

  it('When wrong passwords lock the login, then a login already past its password still finishes with its code', async () => {
    const account = await signUpWithTotp(ctx);
    const mfaToken = await passwordStep(ctx, account);
    let res = await ctx.stack.authApi.post('/login', {
      login: account.login,
      password: 'Wrong1234!',
    });
    for (let i = 0; i < 10 && res.status !== 429; i++) {
      res = await ctx.stack.authApi.post('/login', {
        login: account.login,
        password: 'Wrong1234!',
      });
    }
    expect(res.status).toBe(429);
    const done = await mfaStep(ctx, {
      mfa_token: mfaToken,
      method: 'totp',
      code: account.codes.current,
    });
    expect(done.status).toBe(200);
  });

  it('When a right code follows wrong ones below the limit, then the count starts again', async () => {
    const account = await signUpWithTotp(ctx);
    for (const code of [account.codes.current, account.codes.next]) {
      const mfaToken = await passwordStep(ctx, account);
      for (let i = 0; i < 2; i++) {
        expect(
          (await mfaStep(ctx, { mfa_token: mfaToken, method: 'totp', code: wrong(code) })).status,
        ).toBe(401);
      }
      expect((await mfaStep(ctx, { mfa_token: mfaToken, method: 'totp', code })).status).toBe(200);
    }
  });
});

describe('the mfa_token expires', () => {
  it('When MFA_TOKEN_TTL_SECONDS have passed, then the token is refused even with the right code', async () => {
    const account = await signUpWithTotp(ctx);
    const mfaToken = await passwordStep(ctx, account);
    await new Promise((resolve) => setTimeout(resolve, 4500));
    const res = await mfaStep(ctx, {
      mfa_token: mfaToken,
      method: 'totp',
      code: account.codes.current,
    });
    expect(res.status).toBe(401);
    expect(res.body.type).toBe('urn:problem:invalid-mfa-token');
  });
});
