import { describe, expect, it } from 'vitest';
import { ContractChecker } from '../../../test/support/contract.js';
import { signUp, useMailStack } from '../../../test/support/mail-stack.js';
import { newRegistration } from '../../../test/support/factories.js';
import { mailsQueuedFor, tokenOf } from '../../../test/support/mailbox.js';

const contract = new ContractChecker('auth.yaml');
const ctx = useMailStack();

const changeEmail = async (
  account: { token: string; password: string },
  newEmail: string,
  password = account.password,
) => {
  const res = await ctx.stack.authApi.post(
    '/email/change',
    { new_email: newEmail, current_password: password },
    { token: account.token },
  );
  contract.check('changeEmail', res);
  return res;
};

const emailOf = async (account: { login: string; password: string }) =>
  (await ctx.stack.authApi.post('/login', { login: account.login, password: account.password }))
    .body.user as { email: string; email_verified: boolean };

const verify = (token: string) => ctx.stack.authApi.post('/email/verify', { token });

describe('POST /email/change', () => {
  it('When the link mailed to the new address is used, then and only then the account moves to it, proven, and the old address is told', async () => {
    const account = await signUp(ctx);
    const newEmail = `moved_${account.email}`;
    expect((await changeEmail(account, newEmail)).status).toBe(202);
    const link = await ctx.mailbox.next(newEmail);
    const requested = await ctx.mailbox.next(account.email);
    expect(requested.text).toContain(newEmail);
    expect(requested.text).not.toMatch(/token=/);
    expect((await emailOf(account)).email).toBe(account.email);

    expect((await verify(tokenOf(link))).status).toBe(204);
    expect(await emailOf(account)).toMatchObject({ email: newEmail, email_verified: true });
    const changed = await ctx.mailbox.next(account.email);
    expect(changed.text).not.toMatch(/token=/);
    expect((await verify(tokenOf(link))).status).toBe(400);
  });

  it('When the new address belongs to another account, then the answer is the same, its owner is told and no link is sent', async () => {
    const account = await signUp(ctx);
    const owner = await signUp(ctx);
    const free = await changeEmail(account, `free_${account.email}`);
    const taken = await changeEmail(account, owner.email.toUpperCase());
    expect(taken.status).toBe(202);
    expect(taken.body).toEqual(free.body);
    const told = await ctx.mailbox.next(owner.email);
    expect(told.text).not.toMatch(/token=/);
    expect(await mailsQueuedFor(ctx.stack, owner.email)).toBe(2); // verification, then the notice
    expect((await emailOf(account)).email).toBe(account.email);
  });

  it('When the current password is wrong, then it gets 403 wrong-password and nothing is mailed', async () => {
    const account = await signUp(ctx);
    const res = await changeEmail(account, `wrong_${account.email}`, 'NotThePassword1!');
    expect(res.status).toBe(403);
    expect(res.body.type).toBe('urn:problem:wrong-password');
    expect(await mailsQueuedFor(ctx.stack, `wrong_${account.email}`)).toBe(0);
  });

  it('When the new address is taken between the request and the link, then the link gets 409 and the account stays', async () => {
    const account = await signUp(ctx);
    const newEmail = `race_${account.email}`;
    await changeEmail(account, newEmail);
    const token = tokenOf(await ctx.mailbox.next(newEmail));
    const squatter = newRegistration({ email: newEmail });
    expect((await ctx.stack.authApi.post('/register', squatter)).status).toBe(201);
    const res = await verify(token);
    expect(res.status).toBe(409);
    expect((await emailOf(account)).email).toBe(account.email);
  });

  it('When an email-change token is used to reset a password, then it is refused like any bad token', async () => {
    const account = await signUp(ctx);
    const newEmail = `cross_${account.email}`;
    await changeEmail(account, newEmail);
    const token = tokenOf(await ctx.mailbox.next(newEmail));
    const res = await ctx.stack.authApi.post('/password/reset', {
      token,
      new_password: 'CrossPurpose123!',
    });
    expect(res.status).toBe(400);
    expect(res.body.type).toBe('urn:problem:invalid-mail-token');
    expect((await verify(token)).status).toBe(204);
  });

  it('When the verification link of the old address is used after the change, then it is refused', async () => {
    const registration = newRegistration();
    const res = await ctx.stack.authApi.post('/register', registration);
    const account = { ...registration, token: res.body.token_pair.access_token.token as string };
    const oldLink = tokenOf(await ctx.mailbox.next(account.email));
    const newEmail = `bound_${account.email}`;
    await changeEmail(account, newEmail);
    expect((await verify(tokenOf(await ctx.mailbox.next(newEmail)))).status).toBe(204);
    expect((await verify(oldLink)).status).toBe(400);
  });
});
