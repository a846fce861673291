import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContractChecker } from '../../../test/support/contract.js';
import { newRegistration } from '../../../test/support/factories.js';
import { startStack, type Stack } from '../../../test/support/stack.js';
import { expiredToken, forgeToken } from '../../../test/support/tokens.js';

const contract = new ContractChecker('auth.yaml');
let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const refresh = async (body: unknown, opts?: Parameters<Stack['authApi']['post']>[2]) => {
  const res = await stack.authApi.post('/refresh', body, opts);
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

describe('POST /refresh', () => {
  it('When a refresh token is rotated, then a new pair comes back and the old token gets 401', async () => {
    const first = await signUp();
    const second = await refresh({ refresh_token: first.refresh_token.token });
    expect(second.status).toBe(200);
    expect(second.body.access_token.token_id).not.toBe(first.access_token.token_id);
    expect(second.body.refresh_token.token_id).not.toBe(first.refresh_token.token_id);
    const third = await refresh({ refresh_token: second.body.refresh_token.token });
    expect(third.status).toBe(200);
    expectInvalidToken(await refresh({ refresh_token: first.refresh_token.token }));
  });

  it('When a rotated refresh token is reused, then the pair issued by the rotation stops working too', async () => {
    const first = await signUp();
    const second = await refresh({ refresh_token: first.refresh_token.token });
    expect(second.status).toBe(200);
    const reuse = await refresh({ refresh_token: first.refresh_token.token });
    expectInvalidToken(reuse);
    expect(reuse.body.detail).toMatch(/already been used/);

    const logout = await stack.authApi.post('/logout', undefined, {
      token: second.body.access_token.token,
    });
    contract.check('logout', logout);
    expectInvalidToken(logout);
    expectInvalidToken(await refresh({ refresh_token: second.body.refresh_token.token }));
  });

  it('When an access token is sent as the refresh token, then it gets 401', async () => {
    const pair = await signUp();
    const res = await refresh({ refresh_token: pair.access_token.token });
    expectInvalidToken(res);
    expect(res.body.detail).toBe('A refresh token is required.');
  });

  it('When the refresh token has expired, then it gets 401 with a WWW-Authenticate challenge', async () => {
    const pair = await signUp();
    const res = await refresh({
      refresh_token: await expiredToken(stack, pair.refresh_token.token),
    });
    expectInvalidToken(res);
    expect(res.headers.get('www-authenticate')).toMatch(/expired/);
    expect(res.body.detail).toBe('The token has expired.');
    // The real token, identical apart from its expiry, still works.
    expect((await refresh({ refresh_token: pair.refresh_token.token })).status).toBe(200);
  });

  it('When the refresh token is signed by another key, then it gets 401', async () => {
    const pair = await signUp();
    const later = { exp: Math.floor(Date.now() / 1000) + 600 };
    const foreign = await forgeToken(stack, pair.refresh_token.token, {
      claims: later,
      foreignKey: true,
    });
    const res = await refresh({ refresh_token: foreign });
    expectInvalidToken(res);
    expect(res.body.detail).toMatch(/signature/);
    // The same claims signed with the service's key are accepted.
    const genuine = await forgeToken(stack, pair.refresh_token.token, { claims: later });
    expect((await refresh({ refresh_token: genuine })).status).toBe(200);
  });

  it('When the refresh token is not a JWT, then it gets 401', async () => {
    expectInvalidToken(await refresh({ refresh_token: 'not-a-token' }));
  });

  it('When the account has been deactivated, then its refresh token gets 401', async () => {
    const pair = await signUp();
    const deactivated = await stack.authApi.post('/account-delete', undefined, {
      token: pair.access_token.token,
    });
    contract.check('deactivateOwnAccount', deactivated);
    expect(deactivated.status).toBe(200);
    const res = await refresh({ refresh_token: pair.refresh_token.token });
    expectInvalidToken(res);
    expect(res.body.detail).toBe('The session has ended.');
  });

  it.each([
    ['no refresh_token', {}],
    ['a numeric refresh_token', { refresh_token: 42 }],
    ['a null refresh_token', { refresh_token: null }],
    ['an empty refresh_token', { refresh_token: '' }],
  ])('When the body has %s, then it gets 422 naming the field', async (_name, body) => {
    const res = await refresh(body);
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['refresh_token']);
  });

  it('When the body is not JSON, then it gets 400', async () => {
    const res = await refresh(undefined, {
      raw: '{"refresh_token": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(res.body.type).toBe('urn:problem:malformed-body');
  });
});
