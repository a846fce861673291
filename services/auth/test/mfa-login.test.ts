import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { ContractChecker } from '../../../test/support/contract.js';
import { signUp, useMailStack } from '../../../test/support/mail-stack.js';
import { oathtool, oathtoolCode } from '../../../test/support/oathtool.js';
import {
  claimsOf,
  mfaStep,
  passwordStep,
  signUpWithTotp,
  totpCodes,
} from '../../../test/support/second-factor.js';

const contract = new ContractChecker('auth.yaml');
const ctx = useMailStack();

describe('POST /login and POST /login/mfa with an authenticator app', () => {
  it('When an account has no second factor, then /login still answers a session proven by the password', async () => {
    const account = await signUp(ctx);
    const res = await ctx.stack.authApi.post('/login', {
      login: account.login,
      password: account.password,
    });
    expect(res.status).toBe(200);
    expect(claimsOf(res)).toMatchObject({ amr: ['pwd'], aal: 1 });
  });

  it('When the password is right, then /login gives no session but an mfa_token and the methods, and the code finishes the login with aal 2', async () => {
    const account = await signUpWithTotp(ctx);
    const res = await ctx.stack.authApi.post('/login', {
      login: account.login,
      password: account.password,
    });
    contract.check('login', res);
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({
      type: 'urn:problem:mfa-required',
      methods: ['totp', 'recovery_code'],
      expires_in: 300,
    });
    expect(res.body.token_pair).toBeUndefined();
    const done = await mfaStep(ctx, {
      mfa_token: res.body.mfa_token,
      method: 'totp',
      code: account.codes.current,
    });
    expect(done.status).toBe(200);
    expect(done.body.user.id).toBe(account.userId);
    expect(claimsOf(done)).toMatchObject({ amr: ['pwd', 'otp', 'mfa'], aal: 2 });

    const refreshed = await ctx.stack.authApi.post('/refresh', {
      refresh_token: done.body.token_pair.refresh_token.token,
    });
    expect(refreshed.status).toBe(200);
    expect(decodeJwt(refreshed.body.access_token.token)).toMatchObject({
      amr: ['pwd', 'otp', 'mfa'],
      aal: 2,
    });
  });

  it('When the code that confirmed the enrolment is sent again, then it is refused: it counts as used', async () => {
    const account = await signUpWithTotp(ctx);
    const mfaToken = await passwordStep(ctx, account);
    const replay = await mfaStep(ctx, {
      mfa_token: mfaToken,
      method: 'totp',
      code: account.codes.previous,
    });
    expect(replay.status).toBe(401);
    expect(replay.body.type).toBe('urn:problem:invalid-mfa-code');
    // A wrong code leaves the token good: the right one still finishes this login.
    const done = await mfaStep(ctx, {
      mfa_token: mfaToken,
      method: 'totp',
      code: account.codes.current,
    });
    expect(done.status).toBe(200);
  });

  it('When a code was accepted, then neither it nor an older one is accepted for another login', async () => {
    const account = await signUpWithTotp(ctx);
    const first = await mfaStep(ctx, {
      mfa_token: await passwordStep(ctx, account),
      method: 'totp',
      code: account.codes.next,
    });
    expect(first.status).toBe(200);
    for (const code of [account.codes.next, account.codes.current]) {
      const again = await mfaStep(ctx, {
        mfa_token: await passwordStep(ctx, account),
        method: 'totp',
        code,
      });
      expect(again.status).toBe(401);
      expect(again.body.type).toBe('urn:problem:invalid-mfa-code');
    }
  });

  it('When one code is sent with several logins at once, then exactly one of them gets a session', async () => {
    const account = await signUpWithTotp(ctx);
    const tokens = [];
    for (let i = 0; i < 4; i++) tokens.push(await passwordStep(ctx, account));
    const results = await Promise.all(
      tokens.map((mfaToken) =>
        mfaStep(ctx, { mfa_token: mfaToken, method: 'totp', code: account.codes.current }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 401, 401, 401]);
  });

  it('When one mfa_token is used twice at once with good codes, then exactly one use wins', async () => {
    const account = await signUpWithTotp(ctx);
    const mfaToken = await passwordStep(ctx, account);
    const [a, b] = await Promise.all([
      mfaStep(ctx, { mfa_token: mfaToken, method: 'totp', code: account.codes.current }),
      mfaStep(ctx, {
        mfa_token: mfaToken,
        method: 'recovery_code',
        code: account.recoveryCodes[0],
      }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 401]);
    const again = await mfaStep(ctx, {
      mfa_token: mfaToken,
      method: 'totp',
      code: account.codes.next,
    });
    expect(again.status).toBe(401);
    expect(again.body.type).toBe('urn:problem:invalid-mfa-token');
  });

  it.skipIf(!oathtool.available)(
    "When the code comes from Debian's oathtool, then the service accepts it",
    async () => {
      const account = await signUpWithTotp(ctx);
      await totpCodes(account.secret); // waits out the end of a step
      const code = oathtoolCode(account.secret, Date.now() + 30_000);
      const res = await mfaStep(ctx, {
        mfa_token: await passwordStep(ctx, account),
        method: 'totp',
        code,
      });
      expect(res.status).toBe(200);
    },
  );

  it("When an mfa_token is used with another account's code, then it fails: the token is bound to its login", async () => {
    const alice = await signUpWithTotp(ctx);
    const bob = await signUpWithTotp(ctx);
    const aliceToken = await passwordStep(ctx, alice);
    const crossed = await mfaStep(ctx, {
      mfa_token: aliceToken,
      method: 'totp',
      code: bob.codes.current,
    });
    expect(crossed.status).toBe(401);
    const crossedCode = await mfaStep(ctx, {
      mfa_token: aliceToken,
      method: 'recovery_code',
      code: bob.recoveryCodes[0],
    });
    expect(crossedCode.status).toBe(401);
    const bobs = await mfaStep(ctx, {
      mfa_token: await passwordStep(ctx, bob),
      method: 'recovery_code',
      code: bob.recoveryCodes[0],
    });
    expect(bobs.status).toBe(200);
    expect(bobs.body.user.id).toBe(bob.userId);
    const unknown = await mfaStep(ctx, {
      mfa_token: 'A'.repeat(43),
      method: 'totp',
      code: alice.codes.current,
    });
    expect(unknown.status).toBe(401);
    expect(unknown.body.type).toBe('urn:problem:invalid-mfa-token');
  });

  it('When the body names no known method or a malformed code, then it gets 422', async () => {
    const account = await signUpWithTotp(ctx);
    const mfaToken = await passwordStep(ctx, account);
    for (const body of [
      { mfa_token: mfaToken, method: 'sms', code: '123456' },
      { mfa_token: mfaToken, method: 'totp', code: '12345' },
      { mfa_token: mfaToken, method: 'totp' },
      { mfa_token: 'short', method: 'totp', code: '123456' },
    ]) {
      const res = await mfaStep(ctx, body);
      expect(res.status).toBe(422);
      expect(res.body.type).toBe('urn:problem:validation-failed');
    }
  });
});
