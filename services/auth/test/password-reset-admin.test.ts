import { beforeAll, describe, expect, it } from 'vitest';
import { ContractChecker } from '../../../test/support/contract.js';
import { signUp, useMailStack } from '../../../test/support/mail-stack.js';
import { tokenOf } from '../../../test/support/mailbox.js';

const ADMIN = { login: 'reset_admin', email: 'reset_admin@example.com', password: 'AdminPass123!' };
const contract = new ContractChecker('auth.yaml');
const ctx = useMailStack({
  ADMIN_LOGIN: ADMIN.login,
  ADMIN_EMAIL: ADMIN.email,
  ADMIN_PASSWORD: ADMIN.password,
});
let admin: string;

beforeAll(async () => {
  const loggedIn = await ctx.stack.authApi.post('/login', {
    login: ADMIN.login,
    password: ADMIN.password,
  });
  admin = loggedIn.body.token_pair.access_token.token;
});

const sendReset = async (userId: number, token: string) => {
  const res = await ctx.stack.authApi.post(`/users/${userId}/password-reset`, undefined, { token });
  contract.check('sendPasswordReset', res);
  return res;
};

describe('POST /users/{user_id}/password-reset', () => {
  it('When an administrator sends an account a reset link, then the link works and the act is audited', async () => {
    const account = await signUp(ctx);
    expect((await sendReset(account.userId, admin)).status).toBe(202);
    const token = tokenOf(await ctx.mailbox.next(account.email));
    const reset = await ctx.stack.authApi.post('/password/reset', {
      token,
      new_password: 'SetByTheOwner123!',
    });
    expect(reset.status).toBe(204);
    const { rows } = await ctx.stack.authDb.query<{ n: number }>(
      "SELECT count(*) AS n FROM audit_log WHERE action = 'password_reset_requested' AND reason = 'admin' AND user_id = ?",
      [account.userId],
    );
    expect(Number(rows[0]!.n)).toBe(1);
  });

  it('When a user without the permission asks, then it gets 403; an unknown account 404; a deactivated one 409', async () => {
    const account = await signUp(ctx);
    const other = await signUp(ctx);
    expect((await sendReset(other.userId, account.pair.access_token.token)).status).toBe(403);
    expect((await sendReset(999_999, admin)).status).toBe(404);
    const token = other.pair.access_token.token as string;
    await ctx.stack.authApi.post('/account-delete', undefined, { token });
    expect((await sendReset(other.userId, admin)).status).toBe(409);
  });
});
