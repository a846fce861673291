import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContractChecker } from '../../../test/support/contract.js';
import { newRegistration } from '../../../test/support/factories.js';
import { openMailbox, tokenOf, type Mailbox } from '../../../test/support/mailbox.js';
import { startStack, type Stack } from '../../../test/support/stack.js';

const ADMIN = { login: 'reset_admin', email: 'reset_admin@example.com', password: 'AdminPass123!' };
const contract = new ContractChecker('auth.yaml');
let stack: Stack;
let mailbox: Mailbox;
let admin: string;

beforeAll(async () => {
  mailbox = await openMailbox();
  stack = await startStack({
    ...mailbox.env,
    ADMIN_LOGIN: ADMIN.login,
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
  });
  const loggedIn = await stack.authApi.post('/login', {
    login: ADMIN.login,
    password: ADMIN.password,
  });
  admin = loggedIn.body.token_pair.access_token.token;
});
afterAll(async () => {
  await stack?.stop();
  await mailbox?.close();
});

async function signUp() {
  const registration = newRegistration();
  const res = await stack.authApi.post('/register', registration);
  expect(res.status).toBe(201);
  await mailbox.next(registration.email);
  return { ...registration, id: res.body.user.id as number, pair: res.body.token_pair };
}

const sendReset = async (userId: number, token: string) => {
  const res = await stack.authApi.post(`/users/${userId}/password-reset`, undefined, { token });
  contract.check('sendPasswordReset', res);
  return res;
};

describe('POST /users/{user_id}/password-reset', () => {
  it('When an administrator sends an account a reset link, then the link works and the act is audited', async () => {
    const account = await signUp();
    expect((await sendReset(account.id, admin)).status).toBe(202);
    const token = tokenOf(await mailbox.next(account.email));
    const reset = await stack.authApi.post('/password/reset', {
      token,
      new_password: 'SetByTheOwner123!',
    });
    expect(reset.status).toBe(204);
    const { rows } = await stack.authDb.query<{ n: number }>(
      "SELECT count(*) AS n FROM audit_log WHERE action = 'password_reset_requested' AND reason = 'admin' AND user_id = ?",
      [account.id],
    );
    expect(Number(rows[0]!.n)).toBe(1);
  });

  it('When a user without the permission asks, then it gets 403; an unknown account 404; a deactivated one 409', async () => {
    const account = await signUp();
    const other = await signUp();
    expect((await sendReset(other.id, account.pair.access_token.token)).status).toBe(403);
    expect((await sendReset(999_999, admin)).status).toBe(404);
    const token = other.pair.access_token.token as string;
    await stack.authApi.post('/account-delete', undefined, { token });
    expect((await sendReset(other.id, admin)).status).toBe(409);
  });
});
