import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContractChecker } from '../../../test/support/contract.js';
import { deactivate, registeredUser } from '../../../test/support/events.js';
import type { RequestOptions } from '../../../test/support/http-client.js';
import { startStack, type Stack } from '../../../test/support/stack.js';

const contract = new ContractChecker('user.yaml');
let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const getProfile = async (opts?: RequestOptions) => {
  const res = await stack.userApi.get('/profile', opts);
  contract.check('getProfile', res);
  return res;
};

describe('GET /profile', () => {
  it('When the Register event has been applied, then it gets 200 with the profile', async () => {
    const user = await registeredUser(stack);
    const res = await getProfile({ token: user.access });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ auth_id: user.id, bio: null, is_active: true });
    expect(res.body.display_name).toMatch(/^Test [A-Z][a-z]{6}$/);
  });

  it('When the account has no profile, then it gets 404', async () => {
    const user = await registeredUser(stack);
    await stack.userDb.query('DELETE FROM user_profiles WHERE auth_id = ?', [user.id]);
    const res = await getProfile({ token: user.access });
    expect(res.status).toBe(404);
    expect(res.body.type).toBe('urn:problem:not-found');
  });

  it('When no token is sent, then it gets 401 with a Bearer challenge', async () => {
    const res = await getProfile();
    expect(res.status).toBe(401);
    expect(res.body.type).toBe('urn:problem:missing-token');
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('When the refresh token is sent as the bearer, then it gets 401', async () => {
    const user = await registeredUser(stack);
    const res = await getProfile({ token: user.refresh });
    expect(res.status).toBe(401);
    expect(res.body.detail).toBe('An access token is required.');
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
  });

  it.each([
    ['a garbage token', { authorization: 'Bearer not.a.jwt' }],
    ['a token with characters no token has', { authorization: 'Bearer {oops}' }],
    ['another scheme', { authorization: 'Basic am9objpwYXNz' }],
  ])('When it sends %s, then it gets 401 invalid_token', async (_name, headers) => {
    const res = await getProfile({ headers });
    expect(res.status).toBe(401);
    expect(res.body.type).toBe('urn:problem:invalid-token');
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
  });

  it('When the account was deactivated, then it gets 403', async () => {
    const user = await registeredUser(stack);
    await deactivate(stack, user.access);
    const res = await getProfile({ token: user.access });
    expect(res.status).toBe(403);
    expect(res.body.type).toBe('urn:problem:account-inactive');
  });
});
