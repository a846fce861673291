import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ContractChecker } from '../../../test/support/contract.js';
import { signUp, useMailStack } from '../../../test/support/mail-stack.js';
import { linkOf, mailsQueuedFor, tokenOf } from '../../../test/support/mailbox.js';
import { pollUntil } from '../../../test/support/stack.js';

const contract = new ContractChecker('auth.yaml');
const ctx = useMailStack();

const NEW_PASSWORD = 'BrandNewPass456!';

const forgot = async (email: string, headers?: Record<string, string>) => {
  const res = await ctx.stack.authApi.post('/password/forgot', { email }, { headers });
  contract.check('forgotPassword', res);
  return res;
};

const reset = async (token: string, password = NEW_PASSWORD) => {
  const res = await ctx.stack.authApi.post('/password/reset', { token, new_password: password });
  contract.check('resetPassword', res);
  return res;
};

const login = (account: { login: string }, password: string) =>
  ctx.stack.authApi.post('/login', { login: account.login, password });

/** The reset link mailed to `email` after a forgot-password request. */
async function resetToken(email: string): Promise<string> {
  expect((await forgot(email)).status).toBe(202);
  return tokenOf(await ctx.mailbox.next(email));
}

/** Waits until every forgot-password request so far has been resolved (and its mail, if any, queued). */
async function resolved(): Promise<void> {
  await pollUntil(
    async () => {
      const { rows } = await ctx.stack.authDb.query<{ n: number }>(
        'SELECT count(*) AS n FROM password_reset_requests',
      );
      return Number(rows[0]!.n) === 0;
    },
    () => 'forgot-password requests were not resolved',
    10_000,
  );
}

const queuedFor = (email: string) => mailsQueuedFor(ctx.stack, email);

describe('POST /password/forgot and POST /password/reset', () => {
  it('When the link is used, then the new password works, the old one not, and every session has ended in both services', async () => {
    const account = await signUp(ctx);
    const token = await resetToken(account.email);
    expect((await reset(token)).status).toBe(204);

    expect((await login(account, account.password)).status).toBe(401);
    const fresh = await login(account, NEW_PASSWORD);
    expect(fresh.status).toBe(200);
    expect(fresh.body.user.email_verified).toBe(true); // the link proved the address
    const old = account.pair.access_token.token as string;
    expect((await ctx.stack.authApi.post('/logout-all', undefined, { token: old })).status).toBe(
      401,
    );
    await ctx.stack.settle();
    expect((await ctx.stack.userApi.get('/profile', { token: old })).status).toBe(401);
    const refreshed = await ctx.stack.authApi.post('/refresh', {
      refresh_token: account.pair.refresh_token.token,
    });
    expect(refreshed.status).toBe(401);
    const notice = await ctx.mailbox.next(account.email);
    expect(notice.text).not.toMatch(/token=/);
  });

  it('When the address is unknown or its account deactivated, then the answer is the same and no mail is queued', async () => {
    const active = await signUp(ctx);
    const inactive = await signUp(ctx);
    const token = inactive.pair.access_token.token as string;
    expect((await ctx.stack.authApi.post('/account-delete', undefined, { token })).status).toBe(
      200,
    );
    const unknown = `nobody_${randomBytes(4).toString('hex')}@example.com`;

    const answers = [
      await forgot(active.email),
      await forgot(inactive.email),
      await forgot(unknown),
    ];
    for (const res of answers) {
      expect(res.status).toBe(202);
      expect(res.body).toEqual(answers[0]!.body);
      expect(res.contentType).toBe(answers[0]!.contentType);
    }
    await resolved();
    expect(await queuedFor(unknown)).toBe(0);
    expect(await queuedFor(inactive.email)).toBe(1); // its verification mail only
    expect(tokenOf(await ctx.mailbox.next(active.email))).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('When a token is used twice, expired, superseded, unknown or of another purpose, then each gets the same 400', async () => {
    const account = await signUp(ctx);
    const used = await resetToken(account.email);
    expect((await reset(used)).status).toBe(204);
    await ctx.mailbox.next(account.email); // the notice

    const superseded = await resetToken(account.email);
    const expired = await resetToken(account.email); // supersedes the one before it
    await ctx.stack.authDb.query(
      'UPDATE mail_tokens SET expires_at = ? WHERE user_id = ? AND ended_at IS NULL',
      ['2000-01-01 00:00:00.000', account.userId],
    );
    const other = await signUp(ctx);
    const resend = await ctx.stack.authApi.post('/email/verification', undefined, {
      token: other.pair.access_token.token,
    });
    expect(resend.status).toBe(202);
    const verification = tokenOf(await ctx.mailbox.next(other.email));

    const refusals = [
      await reset(used, 'AnotherPass789!'),
      await reset(superseded, 'AnotherPass789!'),
      await reset(expired, 'AnotherPass789!'),
      await reset(randomBytes(32).toString('base64url'), 'AnotherPass789!'),
      await reset(verification, 'AnotherPass789!'),
    ];
    for (const res of refusals) {
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ type: 'urn:problem:invalid-mail-token', status: 400 });
      expect({ ...res.body, request_id: undefined }).toEqual({
        ...refusals[0]!.body,
        request_id: undefined,
      });
    }
    expect((await login(account, NEW_PASSWORD)).status).toBe(200);
  });

  it('When the request comes with a forged Host and X-Forwarded-Host, then the link still points at APP_BASE_URL', async () => {
    const account = await signUp(ctx);
    const res = await forgot(account.email, {
      host: 'evil.example',
      'x-forwarded-host': 'evil.example',
      'x-forwarded-proto': 'http',
    });
    expect(res.status).toBe(202);
    const link = linkOf(await ctx.mailbox.next(account.email));
    expect(link.startsWith('https://app.example.test/reset-password?token=')).toBe(true);
    expect(link).not.toContain('evil');
  });

  it('When the new password breaks the policy, then it gets 422 and the token still works', async () => {
    const account = await signUp(ctx);
    const token = await resetToken(account.email);
    const weak = await reset(token, 'short');
    expect(weak.status).toBe(422);
    expect(weak.body.errors[0].field).toBe('new_password');
    expect((await reset(token)).status).toBe(204);
  });

  it('When two resets race with one token, then exactly one succeeds', async () => {
    const account = await signUp(ctx);
    const token = await resetToken(account.email);
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => reset(token, `RacePassword${i}!x`)),
    );
    expect(results.filter((r) => r.status === 204)).toHaveLength(1);
    expect(results.filter((r) => r.status === 400)).toHaveLength(7);
  });
});
