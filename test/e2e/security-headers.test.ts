import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registeredUser } from '../support/events.js';
import { newRegistration } from '../support/factories.js';
import type { Client, HttpResult } from '../support/http-client.js';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

/** What every response of both services carries, whatever its status. */
const EVERY_RESPONSE = {
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
  'x-powered-by': null,
  // helmet's headers for old browsers' pages, which a JSON API has no use for (security-headers.ts).
  'x-xss-protection': null,
  'x-download-options': null,
};
/** What an API (non-HTML) response carries on top. */
const API_RESPONSE = {
  ...EVERY_RESPONSE,
  'content-security-policy': "default-src 'none';frame-ancestors 'none'",
};

function headersOf(res: { headers: Headers }, names: string[]): Record<string, string | null> {
  return Object.fromEntries(names.map((name) => [name, res.headers.get(name)]));
}

type Answer = Pick<HttpResult, 'status' | 'headers'>;

function expectApiHeaders(res: Answer, status: number, cacheControl = 'no-store') {
  const expected = { ...API_RESPONSE, 'cache-control': cacheControl };
  expect({ status: res.status, ...headersOf(res, Object.keys(expected)) }).toEqual({
    status,
    ...expected,
  });
}

type Request = (api: { auth: Client; user: Client }) => Promise<Answer>;

const cases: [string, Request, number, string?][] = [
  ['auth’s POST /register', ({ auth }) => auth.post('/register', newRegistration()), 201],
  [
    'auth’s JWKS',
    ({ auth }) => auth.get('/.well-known/jwks.json'),
    200,
    'public, max-age=300', // its own: the user service may cache the keys
  ],
  ['auth’s /healthz', ({ auth }) => auth.get('/healthz'), 200],
  ['user’s /healthz', ({ user }) => user.get('/healthz'), 200],
  ['auth’s /metrics', ({ auth }) => fetch(`${auth.baseUrl}/metrics`), 200],
  ['user’s /metrics', ({ user }) => fetch(`${user.baseUrl}/metrics`), 200],
  ['auth’s 404 problem', ({ auth }) => auth.get('/no-such-path'), 404],
  ['user’s 404 problem', ({ user }) => user.get('/no-such-path'), 404],
  ['auth’s 401 problem', ({ auth }) => auth.post('/logout'), 401],
  ['user’s 401 problem', ({ user }) => user.get('/profile'), 401],
  ['auth’s 422 problem', ({ auth }) => auth.post('/register', {}), 422],
];

describe('security headers', () => {
  it.each(cases)(
    'When %s answers, then it carries the API security headers and its caching policy',
    async (_name, request, status, cacheControl) => {
      const res = await request({ auth: stack.authApi, user: stack.userApi });
      expectApiHeaders(res, status, cacheControl);
    },
  );

  it('When tokens or a profile are sent (register, login, refresh, profile), then no cache may keep them', async () => {
    const registration = newRegistration();
    const registered = await stack.authApi.post('/register', registration);
    const { login, password } = registration;
    const loggedIn = await stack.authApi.post('/login', { login, password });
    const refreshed = await stack.authApi.post('/refresh', {
      refresh_token: loggedIn.body.token_pair.refresh_token.token,
    });
    const profile = await stack.userApi.get('/profile', {
      token: (await registeredUser(stack)).access,
    });
    for (const [res, status] of [
      [registered, 201],
      [loggedIn, 200],
      [refreshed, 200],
      [profile, 200],
    ] as const) {
      expectApiHeaders(res, status);
    }
  });

  it.each([
    ['auth', () => stack.authApi.baseUrl],
    ['user', () => stack.userApi.baseUrl],
  ])(
    'When the %s service’s /docs page is fetched, then it keeps its own policy and still gets the other headers',
    async (_name, baseUrl) => {
      const res = await fetch(`${baseUrl()}/docs`);
      expect(res.status).toBe(200);
      expect(await res.text()).toMatch(/swagger-ui-bundle\.js/);
      expect(headersOf(res, Object.keys(EVERY_RESPONSE))).toEqual(EVERY_RESPONSE);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      const csp = res.headers.get('content-security-policy');
      expect(csp).toMatch(/^default-src 'none'; script-src 'self'; /);
      expect(csp).toMatch(/frame-ancestors 'none'$/);
    },
  );
});
