import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContractChecker } from '../../../test/support/contract.js';
import { newRegistration } from '../../../test/support/factories.js';
import { metricValue, scrape } from '../../../test/support/metrics.js';
import { startStack, type Stack } from '../../../test/support/stack.js';

const contract = new ContractChecker('auth.yaml');
const userContract = new ContractChecker('user.yaml');
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const signUp = async () => {
  const reg = newRegistration();
  const res = await stack.authApi.post('/register', reg, { headers: { 'User-Agent': FIREFOX } });
  expect(res.status).toBe(201);
  return {
    reg,
    id: res.body.user.id as number,
    access: res.body.token_pair.access_token.token as string,
  };
};

const exportAccount = async (token?: string) => {
  const res = await stack.authApi.get('/account/export', token ? { token } : {});
  contract.check('exportOwnAccount', res);
  return res;
};

const exportProfile = async (token?: string) => {
  const res = await stack.userApi.get('/profile/export', token ? { token } : {});
  userContract.check('exportProfile', res);
  return res;
};

describe('GET /account/export', () => {
  it('When an account exports its data, then it gets everything the auth service holds of it as an attachment', async () => {
    const { reg, id, access } = await signUp();
    await stack.authApi.post('/login', { login: reg.login, password: 'WrongPass123!' });
    const second = await stack.authApi.post('/login', { login: reg.login, password: reg.password });
    await stack.authApi.post('/logout', undefined, {
      token: second.body.token_pair.access_token.token,
    });
    expect(
      (await stack.authApi.post('/email/verification', undefined, { token: access })).status,
    ).toBe(202);

    const res = await exportAccount(access);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe(
      'attachment; filename="account-export.json"',
    );
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = res.body;
    expect(body.account).toMatchObject({
      id,
      login: reg.login,
      email: reg.email,
      email_verified: false,
      is_active: true,
      locale: 'en',
    });
    expect(body.roles).toEqual([{ role: 'user', granted_at: expect.any(String) }]);
    expect(body.permissions).toEqual(['profile:read', 'profile:write', 'sessions:revoke-own']);
    expect(body.sessions).toHaveLength(2);
    expect(body.sessions[0]).toMatchObject({ revoked_at: null, user_agent: FIREFOX });
    expect(body.sessions[1]).toMatchObject({ revoked_reason: 'logout' });
    // The registration's verification mail, then the one asked for again, which supersedes it.
    expect(body.mail_tokens).toEqual([
      expect.objectContaining({ purpose: 'verify', email: reg.email, end_reason: 'superseded' }),
      expect.objectContaining({ purpose: 'verify', email: reg.email, ended_at: null }),
    ]);
    expect(body.mails).toEqual([
      expect.objectContaining({ template: 'verify_email', to: reg.email }),
      expect.objectContaining({ template: 'verify_email', to: reg.email }),
    ]);
    expect(body.audit.map((row: { action: string }) => row.action)).toEqual(
      expect.arrayContaining(['login', 'logout', 'email_verification_sent']),
    );
    expect(body.audit.every((row: { user_id: number }) => row.user_id === id)).toBe(true);
    // Nothing secret: no password hash, no token hash, no mail body.
    const text = JSON.stringify(body);
    expect(text).not.toMatch(/argon2|token_hash|text_body|html_body/);
    expect(text).not.toContain(reg.password);
  });

  it('When an export is made, then it is audited and counted', async () => {
    const { id, access } = await signUp();
    const exports = async () =>
      metricValue(await scrape(stack.authApi.baseUrl), 'auth_account_exports_total') ?? 0;
    const before = await exports();
    expect((await exportAccount(access)).status).toBe(200);
    expect((await exports()) - before).toBe(1);
    const { rows } = await stack.authDb.query<{ action: string }>(
      "SELECT action FROM audit_log WHERE user_id = ? AND action = 'account_exported'",
      [id],
    );
    expect(rows).toHaveLength(1);
  });

  it('When no token is sent, then it gets 401', async () => {
    expect((await exportAccount()).status).toBe(401);
  });
});

describe('GET /profile/export', () => {
  it('When an account exports its profile, then it gets the profile and its ended sessions as an attachment', async () => {
    const { reg, id, access } = await signUp();
    await stack.settle();
    const bio = await stack.userApi.patch('/edit-bio', { bio: 'Hello there' }, { token: access });
    expect(bio.status).toBe(200);
    const second = await stack.authApi.post('/login', { login: reg.login, password: reg.password });
    const ended = second.body.token_pair.access_token.token as string;
    await stack.authApi.post('/logout', undefined, { token: ended });
    await stack.settle();

    const res = await exportProfile(access);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe(
      'attachment; filename="profile-export.json"',
    );
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toMatchObject({
      auth_id: id,
      profile: { display_name: reg.display_name, bio: 'Hello there', is_active: true },
      deactivated_early_at: null,
      revoked_sessions: [expect.objectContaining({ reason: 'logout' })],
    });
  });

  it('When no token is sent, then it gets 401', async () => {
    expect((await exportProfile()).status).toBe(401);
  });
});
