import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { ContractChecker } from '../../../test/support/contract.js';
import { signUp, useMailStack } from '../../../test/support/mail-stack.js';
import {
  mfaStep,
  passwordStep,
  signUpWithTotp,
  totpCodes,
} from '../../../test/support/second-factor.js';

const contract = new ContractChecker('auth.yaml');
const ADMIN = { login: 'admin', email: 'admin@example.com', password: 'AdminPass123!' };
const ctx = useMailStack({
  MFA_REQUIRED_ROLES: 'admin',
  ADMIN_LOGIN: ADMIN.login,
  ADMIN_EMAIL: ADMIN.email,
  ADMIN_PASSWORD: ADMIN.password,
});

const post = async (operationId: string, path: string, body: unknown) => {
  const res = await ctx.stack.authApi.post(path, body);
  contract.check(operationId, res);
  return res;
};

let adminToken: string | undefined;

describe('MFA_REQUIRED_ROLES=admin', () => {
  it('When an administrator without a factor logs in, then it gets a token that can only enrol one, and the enrolment finishes the login with aal 2', async () => {
    const login = await post('login', '/login', { login: ADMIN.login, password: ADMIN.password });
    expect(login.status).toBe(403);
    expect(login.body).toMatchObject({
      type: 'urn:problem:mfa-enrolment-required',
      expires_in: 300,
    });
    expect(login.body.token_pair).toBeUndefined();
    const enrolmentToken = login.body.enrolment_token as string;

    // It is no mfa_token: it finishes no login by itself.
    const asMfa = await mfaStep(ctx, { mfa_token: enrolmentToken, method: 'totp', code: '123456' });
    expect(asMfa.status).toBe(401);
    expect(asMfa.body.type).toBe('urn:problem:invalid-mfa-token');

    const started = await post('startEnrolmentLogin', '/login/mfa/enrol', {
      enrolment_token: enrolmentToken,
    });
    expect(started.status).toBe(201);
    const codes = await totpCodes(started.body.secret);
    const wrong = await post('confirmEnrolmentLogin', '/login/mfa/enrol/confirm', {
      enrolment_token: enrolmentToken,
      code: codes.current === '000000' ? '111111' : '000000',
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.type).toBe('urn:problem:invalid-mfa-code');
    const done = await post('confirmEnrolmentLogin', '/login/mfa/enrol/confirm', {
      enrolment_token: enrolmentToken,
      code: codes.current,
    });
    expect(done.status).toBe(200);
    expect(done.body.recovery_codes).toHaveLength(10);
    adminToken = done.body.token_pair.access_token.token;
    expect(decodeJwt(adminToken!)).toMatchObject({ aal: 2, amr: ['pwd', 'otp', 'mfa'] });
    expect((await ctx.stack.authApi.get('/mfa', { token: adminToken })).status).toBe(200);

    const reused = await post('confirmEnrolmentLogin', '/login/mfa/enrol/confirm', {
      enrolment_token: enrolmentToken,
      code: codes.next,
    });
    expect(reused.status).toBe(401);
    expect(reused.body.type).toBe('urn:problem:invalid-mfa-token');
    // From now on its logins ask for the factor like any other account's.
    expect(await passwordStep(ctx, ADMIN)).toBeTruthy();
  });

  it('When an account got the role outside a role change, then its password-only session is refused, access and refresh alike', async () => {
    const account = await signUp(ctx);
    // As if the role had been granted before MFA_REQUIRED_ROLES was set: the session stays.
    await ctx.stack.authDb.query(
      "INSERT INTO user_roles (user_id, role_id, granted_at) SELECT ?, id, ? FROM roles WHERE name = 'admin'",
      [account.userId, new Date().toISOString()],
    );
    const status = await ctx.stack.authApi.get('/mfa', { token: account.token });
    contract.check('getMfaStatus', status);
    expect(status.status).toBe(403);
    expect(status.body.type).toBe('urn:problem:insufficient-aal');
    const refreshed = await ctx.stack.authApi.post('/refresh', {
      refresh_token: account.pair.refresh_token.token,
    });
    contract.check('refresh', refreshed);
    expect(refreshed.status).toBe(403);
    expect(refreshed.body.type).toBe('urn:problem:insufficient-aal');
    const login = await post('login', '/login', {
      login: account.login,
      password: account.password,
    });
    expect(login.status).toBe(403);
    expect(login.body.type).toBe('urn:problem:mfa-enrolment-required');
  });

  it("When an administrator resets an account's factors, then they are gone, its sessions end, it is mailed and the reset is audited", async () => {
    expect(adminToken).toBeDefined();
    const account = await signUpWithTotp(ctx);
    const strong = await mfaStep(ctx, {
      mfa_token: await passwordStep(ctx, account),
      method: 'totp',
      code: account.codes.current,
    });
    const userToken = strong.body.token_pair.access_token.token as string;

    const refused = await ctx.stack.authApi.send(
      'DELETE',
      `/users/${account.userId}/mfa`,
      undefined,
      {
        token: userToken,
      },
    );
    contract.check('resetUserMfa', refused);
    expect(refused.status).toBe(403);

    const reset = await ctx.stack.authApi.send(
      'DELETE',
      `/users/${account.userId}/mfa`,
      undefined,
      {
        token: adminToken,
      },
    );
    contract.check('resetUserMfa', reset);
    expect(reset.status).toBe(200);
    expect(reset.body.sessions_revoked).toBeGreaterThanOrEqual(2);
    expect((await ctx.stack.authApi.get('/mfa', { token: userToken })).status).toBe(401);
    await ctx.stack.settle();
    expect((await ctx.stack.userApi.get('/profile', { token: userToken })).status).toBe(401);
    expect((await ctx.mailbox.next(account.email)).subject).toMatch(/removed/i);
    const login = await post('login', '/login', {
      login: account.login,
      password: account.password,
    });
    expect(login.status).toBe(200);
    const { rows } = await ctx.stack.authDb.query<{ actor_id: number }>(
      "SELECT actor_id FROM audit_log WHERE action = 'mfa_reset' AND user_id = ?",
      [account.userId],
    );
    expect(rows.map((r) => Number(r.actor_id))).toEqual([Number(decodeJwt(adminToken!).sub)]);

    const missing = await ctx.stack.authApi.send('DELETE', '/users/999999/mfa', undefined, {
      token: adminToken,
    });
    expect(missing.status).toBe(404);
  });

  it('When the administrator would remove its last factor, then it gets 409', async () => {
    expect(adminToken).toBeDefined();
    const res = await ctx.stack.authApi.post(
      '/mfa/totp/disable',
      { password: ADMIN.password },
      { token: adminToken },
    );
    contract.check('removeTotp', res);
    expect(res.status).toBe(409);
    expect(res.body.type).toBe('urn:problem:last-factor');
  });
});
