import { describe, expect, it } from 'vitest';
import { ContractChecker } from '../../../test/support/contract.js';
import { useMailStack } from '../../../test/support/mail-stack.js';
import { newRegistration } from '../../../test/support/factories.js';
import { mailsQueuedFor, tokenOf } from '../../../test/support/mailbox.js';

const contract = new ContractChecker('auth.yaml');
const ctx = useMailStack({ EMAIL_VERIFICATION: 'required' });

const register = async (body: Record<string, string>) => {
  const res = await ctx.stack.authApi.post('/register', body);
  contract.check('register', res);
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

describe('EMAIL_VERIFICATION=required', () => {
  it('When an account registers, then it gets 202 without tokens and can log in only once the mailed link is used', async () => {
    const account = newRegistration();
    const res = await register(account);
    expect(res.status).toBe(202);
    expect(res.body.token_pair).toBeUndefined();
    const link = tokenOf(await ctx.mailbox.next(account.email));

    const early = await login(account);
    expect(early.status).toBe(403);
    expect(early.body.type).toBe('urn:problem:email-not-verified');
    tokenOf(await ctx.mailbox.next(account.email)); // a new link, mailed with the refusal

    expect((await ctx.stack.authApi.post('/email/verify', { token: link })).status).toBe(400);
    const fresh = tokenOf(ctx.mailbox.receivedBy(account.email).at(-1)!);
    expect((await ctx.stack.authApi.post('/email/verify', { token: fresh })).status).toBe(204);
    const later = await login(account);
    expect(later.status).toBe(200);
    expect(later.body.user.email_verified).toBe(true);
  });

  it('When an account’s address is no longer proven, then its refresh token gets 403 email-not-verified', async () => {
    const account = newRegistration();
    await register(account);
    await ctx.stack.authApi.post('/email/verify', {
      token: tokenOf(await ctx.mailbox.next(account.email)),
    });
    const pair = (await login(account)).body.token_pair;
    // As an account from before the switch to required verification, which never proved its address.
    await ctx.stack.authDb.query('UPDATE auth_info SET email_verified = false WHERE login = ?', [
      account.login,
    ]);
    const res = await ctx.stack.authApi.post('/refresh', {
      refresh_token: pair.refresh_token.token,
    });
    contract.check('refresh', res);
    expect(res.status).toBe(403);
    expect(res.body.type).toBe('urn:problem:email-not-verified');
  });

  it('When an email is registered again, then the answer is the same as for a new one and the owner is told instead', async () => {
    const owner = newRegistration();
    const first = await register(owner);
    await ctx.mailbox.next(owner.email);
    const again = await register(newRegistration({ email: owner.email.toUpperCase() }));
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    const told = await ctx.mailbox.next(owner.email);
    expect(told.text).not.toMatch(/token=/);
    expect(await mailsQueuedFor(ctx.stack, owner.email)).toBe(2);
    const { rows } = await ctx.stack.authDb.query<{ n: number }>(
      'SELECT count(*) AS n FROM auth_info WHERE lower(email) = lower(?)',
      [owner.email],
    );
    expect(Number(rows[0]!.n)).toBe(1);
  });

  it('When a login is registered again, then it still gets 409', async () => {
    const owner = newRegistration();
    await register(owner);
    const res = await register(newRegistration({ login: owner.login }));
    expect(res.status).toBe(409);
    expect(res.body.errors).toEqual([{ field: 'login', message: 'is already taken' }]);
  });

  it('When the unproven owner resets the password, then the link proves the address and the account can log in', async () => {
    const account = newRegistration();
    await register(account);
    await ctx.mailbox.next(account.email);
    await ctx.stack.authApi.post('/password/forgot', { email: account.email });
    const token = tokenOf(await ctx.mailbox.next(account.email));
    const reset = await ctx.stack.authApi.post('/password/reset', {
      token,
      new_password: 'ProvenByReset123!',
    });
    expect(reset.status).toBe(204);
    expect((await login({ login: account.login, password: 'ProvenByReset123!' })).status).toBe(200);
  });
});
