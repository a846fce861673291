import { describe, expect, it } from 'vitest';
import { ContractChecker } from '../../../test/support/contract.js';
import { signUp, useMailStack } from '../../../test/support/mail-stack.js';
import { tokenOf } from '../../../test/support/mailbox.js';

const contract = new ContractChecker('auth.yaml');
const ctx = useMailStack({ LOGIN_MAX_FAILURES_PER_ACCOUNT_IP: '3' });

const NEW_PASSWORD = 'ChangedPass456!';

const login = (account: { login: string }, password: string) =>
  ctx.stack.authApi.post('/login', { login: account.login, password });

const change = async (token: string, current: string, next = NEW_PASSWORD) => {
  const res = await ctx.stack.authApi.post(
    '/password/change',
    { current_password: current, new_password: next },
    { token },
  );
  contract.check('changePassword', res);
  return res;
};

describe('POST /password/change', () => {
  it('When the current password is right, then the other sessions end, this one stays, the old password stops working and a notice is mailed', async () => {
    const account = await signUp(ctx);
    const other = (await login(account, account.password)).body.token_pair;
    const mine = account.pair.access_token.token as string;
    expect((await change(mine, account.password)).status).toBe(204);

    expect(
      (await ctx.stack.authApi.post('/logout-all', undefined, { token: other.access_token.token }))
        .status,
    ).toBe(401);
    await ctx.stack.settle();
    expect(
      (await ctx.stack.userApi.get('/profile', { token: other.access_token.token })).status,
    ).toBe(401);
    expect((await ctx.stack.userApi.get('/profile', { token: mine })).status).toBe(200);
    expect((await login(account, account.password)).status).toBe(401);
    expect((await login(account, NEW_PASSWORD)).status).toBe(200);
    expect((await ctx.mailbox.next(account.email)).text).not.toMatch(/token=/);
  });

  it('When a reset link was mailed before the change, then it stops working', async () => {
    const account = await signUp(ctx);
    await ctx.stack.authApi.post('/password/forgot', { email: account.email });
    const token = tokenOf(await ctx.mailbox.next(account.email));
    expect((await change(account.pair.access_token.token, account.password)).status).toBe(204);
    const res = await ctx.stack.authApi.post('/password/reset', {
      token,
      new_password: 'TooLatePass789!',
    });
    expect(res.status).toBe(400);
  });

  it('When the current password is wrong, then it gets 403, and enough of them lock the account like failed logins', async () => {
    const account = await signUp(ctx);
    const token = account.pair.access_token.token as string;
    for (let i = 0; i < 3; i++) {
      const wrong = await change(token, 'NotThePassword1!');
      expect(wrong.status).toBe(403);
      expect(wrong.body.type).toBe('urn:problem:wrong-password');
    }
    const locked = await login(account, account.password);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('When failed logins have locked the account, then a password reset lifts the lock', async () => {
    const account = await signUp(ctx);
    let locked = await login(account, 'NotThePassword1!');
    for (let i = 0; i < 5 && locked.status !== 429; i++) {
      locked = await login(account, 'NotThePassword1!');
    }
    expect(locked.status).toBe(429);
    await ctx.stack.authApi.post('/password/forgot', { email: account.email });
    const token = tokenOf(await ctx.mailbox.next(account.email));
    const reset = await ctx.stack.authApi.post('/password/reset', {
      token,
      new_password: NEW_PASSWORD,
    });
    expect(reset.status).toBe(204);
    expect((await login(account, NEW_PASSWORD)).status).toBe(200);
  });

  it('When the new password breaks the policy, then it gets 422 and the password stays', async () => {
    const account = await signUp(ctx);
    const res = await change(account.pair.access_token.token, account.password, 'weak');
    expect(res.status).toBe(422);
    expect(res.body.errors[0].field).toBe('new_password');
    expect((await login(account, account.password)).status).toBe(200);
  });
});
