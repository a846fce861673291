import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { ContractChecker } from '../../../test/support/contract.js';
import { signUp, useMailStack } from '../../../test/support/mail-stack.js';
import { mailsQueuedFor, tokenOf } from '../../../test/support/mailbox.js';

const ADMIN = {
  login: 'verify_admin',
  email: 'verify_admin@example.com',
  password: 'AdminPass123!',
};
const contract = new ContractChecker('auth.yaml');
const ctx = useMailStack({
  ADMIN_LOGIN: ADMIN.login,
  ADMIN_EMAIL: ADMIN.email,
  ADMIN_PASSWORD: ADMIN.password,
});

const verify = async (token: string) => {
  const res = await ctx.stack.authApi.post('/email/verify', { token });
  contract.check('verifyEmail', res);
  return res;
};

const login = async (account: { login: string; password: string }) => {
  const res = await ctx.stack.authApi.post('/login', {
    login: account.login,
    password: account.password,
  });
  contract.check('login', res);
  return res;
};

describe('verifying the address of an account', () => {
  it('When the link mailed at registration is used, then the account and its new tokens say the address is proven', async () => {
    const account = await signUp(ctx, { keepMail: true });
    expect(account.user.email_verified).toBe(false);
    expect(decodeJwt(account.pair.access_token.token).email_verified).toBe(false);
    const mail = await ctx.mailbox.next(account.email);
    expect(mail.text).toContain('https://app.example.test/verify-email?token=');

    expect((await verify(tokenOf(mail))).status).toBe(204);
    const again = await login(account);
    expect(again.body.user.email_verified).toBe(true);
    expect(decodeJwt(again.body.token_pair.access_token.token).email_verified).toBe(true);
  });

  it('When a verification link is used twice, then the second gets 400 invalid-mail-token', async () => {
    const account = await signUp(ctx, { keepMail: true });
    const token = tokenOf(await ctx.mailbox.next(account.email));
    expect((await verify(token)).status).toBe(204);
    const replay = await verify(token);
    expect(replay.status).toBe(400);
    expect(replay.body.type).toBe('urn:problem:invalid-mail-token');
  });

  it('When a new link is asked for, then it is mailed, the older one stops working, and a proven address gets none', async () => {
    const account = await signUp(ctx, { keepMail: true });
    const first = tokenOf(await ctx.mailbox.next(account.email));
    const token = account.pair.access_token.token as string;
    const resend = await ctx.stack.authApi.post('/email/verification', undefined, { token });
    contract.check('sendEmailVerification', resend);
    expect(resend.status).toBe(202);
    const second = tokenOf(await ctx.mailbox.next(account.email));
    expect(second).not.toBe(first);
    expect((await verify(first)).status).toBe(400);
    expect((await verify(second)).status).toBe(204);

    const proven = await ctx.stack.authApi.post('/email/verification', undefined, { token });
    expect(proven.status).toBe(202);
    expect(proven.body).toEqual(resend.body);
    expect(await mailsQueuedFor(ctx.stack, account.email)).toBe(2);
  });

  it('When the account registers with Accept-Language ru, then its mails are in Russian until it chooses English', async () => {
    const account = await signUp(ctx, {
      keepMail: true,
      headers: { 'accept-language': 'ru-RU,ru;q=0.9,en;q=0.5' },
    });
    expect(account.user.locale).toBe('ru');
    expect((await ctx.mailbox.next(account.email)).subject).toMatch(/[А-Яа-яЁё]/);
    const token = account.pair.access_token.token as string;
    const chosen = await ctx.stack.authApi.send(
      'PUT',
      '/account/locale',
      { locale: 'en' },
      { token },
    );
    contract.check('setLocale', chosen);
    expect(chosen.body.locale).toBe('en');
    await ctx.stack.authApi.post('/email/verification', undefined, { token });
    expect((await ctx.mailbox.next(account.email)).subject).not.toMatch(/[А-Яа-яЁё]/);
  });

  it('When an administrator marks an address proven, then it is, and a user may not do so', async () => {
    const account = await signUp(ctx, { keepMail: true });
    const admin = (await login(ADMIN)).body.token_pair.access_token.token as string;
    const path = `/users/${account.user.id}/email-verified`;
    const refused = await ctx.stack.authApi.send('PUT', path, undefined, {
      token: account.pair.access_token.token,
    });
    expect(refused.status).toBe(403);
    const marked = await ctx.stack.authApi.send('PUT', path, undefined, { token: admin });
    contract.check('markEmailVerified', marked);
    expect(marked.status).toBe(200);
    expect(marked.body.email_verified).toBe(true);
    expect((await verify(tokenOf(await ctx.mailbox.next(account.email)))).status).toBe(400);
    const { rows } = await ctx.stack.authDb.query<{ n: number }>(
      `SELECT count(*) AS n FROM audit_log WHERE action = 'email_verified' AND reason = 'admin'`,
    );
    expect(Number(rows[0]!.n)).toBeGreaterThan(0);
  });
});
