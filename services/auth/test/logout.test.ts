import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContractChecker } from '../../../test/support/contract.js';
import { newRegistration } from '../../../test/support/factories.js';
import type { RequestOptions } from '../../../test/support/http-client.js';
import { startStack, type Stack } from '../../../test/support/stack.js';
import { expiredToken } from '../../../test/support/tokens.js';

const contract = new ContractChecker('auth.yaml');
let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const logout = async (body: unknown, opts?: RequestOptions) => {
  const res = await stack.authApi.post('/logout', body, opts);
  contract.check('logout', res);
  return res;
};

const refresh = async (refreshToken: string) => {
  const res = await stack.authApi.post('/refresh', { refresh_token: refreshToken });
  contract.check('refresh', res);
  return res;
};

/** A new account's token pair, from /register. */
const signUp = async () => {
  const res = await stack.authApi.post('/register', newRegistration());
  contract.check('register', res);
  expect(res.status).toBe(201);
  return res.body.token_pair;
};

const expectInvalidToken = (res: { status: number; headers: Headers }) => {
  expect(res.status).toBe(401);
  expect(res.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
};

describe('POST /logout', () => {
  it('When both tokens are sent, then it gets 204 and both are rejected afterwards', async () => {
    const pair = await signUp();
    const res = await logout(
      { refresh_token: pair.refresh_token.token },
      { token: pair.access_token.token },
    );
    expect(res.status).toBe(204);
    const again = await logout(undefined, { token: pair.access_token.token });
    expectInvalidToken(again);
    expect(again.body.detail).toBe('The token has been revoked.');
    expectInvalidToken(await refresh(pair.refresh_token.token));
  });

  it('When no body is sent, then it gets 204 and the session’s refresh token stops working', async () => {
    const pair = await signUp();
    expect((await logout(undefined, { token: pair.access_token.token })).status).toBe(204);
    const res = await refresh(pair.refresh_token.token);
    expectInvalidToken(res);
    expect(res.body.detail).toBe('The session has ended.');
  });

  it('When the Authorization header is missing, then it gets 401 with a Bearer challenge', async () => {
    const res = await logout(undefined);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(res.body.type).toBe('urn:problem:missing-token');
  });

  it('When a refresh token is sent as the bearer token, then it gets 401', async () => {
    const pair = await signUp();
    const res = await logout(undefined, { token: pair.refresh_token.token });
    expectInvalidToken(res);
    expect(res.body.detail).toBe('An access token is required.');
  });

  it('When the access token has expired, then it gets 401', async () => {
    const pair = await signUp();
    const res = await logout(undefined, {
      token: await expiredToken(stack, pair.access_token.token),
    });
    expectInvalidToken(res);
    expect(res.body.detail).toBe('The token has expired.');
    // The real token, identical apart from its expiry, still logs out.
    expect((await logout(undefined, { token: pair.access_token.token })).status).toBe(204);
  });

  it('When the access token has already been logged out, then it gets 401', async () => {
    const pair = await signUp();
    expect((await logout(undefined, { token: pair.access_token.token })).status).toBe(204);
    const res = await logout(undefined, { token: pair.access_token.token });
    expectInvalidToken(res);
    expect(res.body.detail).toBe('The token has been revoked.');
  });

  it('When the body holds another user’s refresh token, then it gets 401 and that session lives on', async () => {
    const mine = await signUp();
    const theirs = await signUp();
    const res = await logout(
      { refresh_token: theirs.refresh_token.token },
      { token: mine.access_token.token },
    );
    expectInvalidToken(res);
    expect(res.body.detail).toBe('The refresh token belongs to another account.');
    expect((await refresh(theirs.refresh_token.token)).status).toBe(200);
  });

  it.each([
    ['another scheme', (t: string) => `Basic ${t}`],
    ['no token', () => 'Bearer'],
    ['two tokens', (t: string) => `Bearer ${t} ${t}`],
    ['a token that is not a JWT', () => 'Bearer not-a-jwt'],
  ])('When the Authorization header has %s, then it gets 401', async (_name, header) => {
    const pair = await signUp();
    const res = await logout(undefined, {
      headers: { authorization: header(pair.access_token.token) },
    });
    expectInvalidToken(res);
  });

  it('When the refresh token in the body has expired, then the logout still ends the session', async () => {
    const pair = await signUp();
    const staleRefresh = await expiredToken(stack, pair.refresh_token.token);
    const res = await logout({ refresh_token: staleRefresh }, { token: pair.access_token.token });
    expect(res.status).toBe(204);
    expectInvalidToken(await logout(undefined, { token: pair.access_token.token }));
    expectInvalidToken(await refresh(pair.refresh_token.token));
  });
});
