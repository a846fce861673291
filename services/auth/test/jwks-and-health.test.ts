import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContractChecker } from '../../../test/support/contract.js';
import { newRegistration } from '../../../test/support/factories.js';
import type { HttpResult } from '../../../test/support/http-client.js';
import { startStack, type Stack } from '../../../test/support/stack.js';

const contract = new ContractChecker('auth.yaml');
let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const jwks = async () => {
  const res = await stack.authApi.get('/.well-known/jwks.json');
  contract.check('getJwks', res);
  return res;
};

const signUp = async () => {
  const reg = newRegistration();
  const registered = await stack.authApi.post('/register', reg);
  contract.check('register', registered);
  expect(registered.status).toBe(201);
  const res = await stack.authApi.post('/login', { login: reg.login, password: reg.password });
  contract.check('login', res);
  expect(res.status).toBe(200);
  return res.body;
};

const expectProblem = (res: HttpResult, status: number) => {
  expect(res.status).toBe(status);
  expect(res.contentType).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({
    type: expect.stringMatching(/^urn:problem:/),
    title: expect.any(String),
    status,
    detail: expect.any(String),
  });
};

describe('GET /.well-known/jwks.json', () => {
  it('When the keys are fetched, then only the public half of the signing key is published', async () => {
    const res = await jwks();
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toMatch(/max-age=\d+/);
    const key = stack.signingKey;
    expect(res.body.keys).toEqual([
      { kty: 'OKP', crv: 'Ed25519', x: key.x, kid: key.kid, alg: 'EdDSA', use: 'sig' },
    ]);
    for (const key of res.body.keys) expect(key).not.toHaveProperty('d');
  });

  it('When a login token is checked against the keys, then it verifies with EdDSA and the key id', async () => {
    const { user, token_pair: pair } = await signUp();
    const keys = (await jwks()).body;
    const { payload, protectedHeader } = await jwtVerify(
      pair.access_token.token,
      createLocalJWKSet(keys),
      { issuer: 'auth-service', audience: 'auth-user-platform' },
    );
    expect(protectedHeader).toMatchObject({ alg: 'EdDSA', kid: keys.keys[0].kid });
    expect(payload).toEqual({
      sub: String(user.id),
      jti: pair.access_token.token_id,
      type: 'access',
      role: 'user',
      roles: ['user'],
      sid: expect.any(String),
      email_verified: false,
      amr: ['pwd'],
      aal: 1,
      iss: 'auth-service',
      aud: 'auth-user-platform',
      iat: expect.any(Number),
      exp: payload.iat! + 30 * 60,
    });

    const refresh = await jwtVerify(pair.refresh_token.token, createLocalJWKSet(keys));
    expect(decodeProtectedHeader(pair.refresh_token.token).kid).toBe(keys.keys[0].kid);
    expect(refresh.payload).toMatchObject({
      jti: pair.refresh_token.token_id,
      type: 'refresh',
      sid: payload.sid,
      exp: refresh.payload.iat! + 7 * 86_400,
    });
  });
});

describe('operations endpoints', () => {
  it('When /healthz is called, then it gets 200 ok', async () => {
    const res = await stack.authApi.get('/healthz');
    contract.check('getHealth', res);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('When /readyz is called, then it gets 200 ok', async () => {
    const res = await stack.authApi.get('/readyz');
    contract.check('getReadiness', res);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('When the path is unknown, then it gets a 404 problem', async () => {
    const res = await stack.authApi.get('/no-such-path');
    expectProblem(res, 404);
    expect(res.body.type).toBe('urn:problem:not-found');
  });

  it('When the method is not allowed on a path, then it gets a 405 problem', async () => {
    const res = await stack.authApi.send('DELETE', '/login');
    expectProblem(res, 405);
    expect(res.body.type).toBe('urn:problem:method-not-allowed');
    expect(res.headers.get('allow')).toBe('POST');
  });
});
