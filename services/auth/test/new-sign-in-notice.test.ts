import { describe, expect, it } from 'vitest';
import { signUp, useMailStack } from '../../../test/support/mail-stack.js';

// NEW_SIGN_IN_NOTICE: a login from a browser and system none of the account's sessions had mails
// its owner, through the courier; a login from a known one does not.

const IPHONE = (version: string) =>
  `Mozilla/5.0 (iPhone; CPU iPhone OS ${version.replace('.', '_')} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/${version} Mobile/15E148 Safari/604.1`;
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const ctx = useMailStack({ NEW_SIGN_IN_NOTICE: 'true', TRUST_PROXY_HOPS: '1' });

const login = (account: { login: string; password: string }, userAgent: string, ip: string) =>
  ctx.stack.authApi.post(
    '/login',
    { login: account.login, password: account.password },
    { headers: { 'user-agent': userAgent, 'x-forwarded-for': ip } },
  );
const notices = async (email: string) =>
  Number(
    (
      await ctx.stack.authDb.query<{ n: unknown }>(
        "SELECT COUNT(*) AS n FROM mail_queue WHERE to_address = ? AND template = 'new_sign_in'",
        [email],
      )
    ).rows[0]!.n,
  );

describe('the new sign-in notice', () => {
  it('When a login comes from a new browser and system, then the owner is mailed once; from a known one, not', async () => {
    const account = await signUp(ctx, { headers: { 'user-agent': IPHONE('17.5') } });
    // The same phone after a system update is no new device.
    expect((await login(account, IPHONE('17.6'), '192.0.2.1')).status).toBe(200);
    expect(await notices(account.email)).toBe(0);

    expect((await login(account, FIREFOX, '203.0.113.9')).status).toBe(200);
    const mail = await ctx.mailbox.next(account.email);
    expect(mail.subject).toBe('New sign-in to your account');
    expect(mail.text).toContain('Firefox 128.0 on Linux');
    expect(mail.text).toContain('203.0.113.9');
    expect(mail.text).toContain(account.login);

    expect((await login(account, FIREFOX, '203.0.113.10')).status).toBe(200);
    expect(await notices(account.email)).toBe(1);
  });

  it('When a login sends no User-Agent after one that did, then that is a new device too', async () => {
    const account = await signUp(ctx, { headers: { 'user-agent': FIREFOX } });
    const res = await ctx.stack.authApi.post('/login', {
      login: account.login,
      password: account.password,
    });
    expect(res.status).toBe(200);
    const mail = await ctx.mailbox.next(account.email);
    expect(mail.text).toContain('an unknown browser on an unknown system');
  });
});
