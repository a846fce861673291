import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import {
  createPlatformClient,
  mfaRequired,
  MemoryTokenStore,
  ProblemError,
  unwrap,
  type ClientOptions,
} from '../src/index.js';
import { retryAfterMs } from '../src/transport.js';
import { clientIps } from '../../test/support/client-ips.js';
import { newRegistration } from '../../test/support/factories.js';
import { totpCodes } from '../../test/support/second-factor.js';
import { startStack, type Stack } from '../../test/support/stack.js';
import { expiredToken } from '../../test/support/tokens.js';

// The client against both real services (embedded or infra, as STACK_MODE says): each test sends
// through a fetch that records what went over the wire, from an address of its own.

const { newIp } = clientIps(31);

/** A fetch that sends from `ip` (the stacks trust one proxy hop) and records each request. */
function recordingFetch(ip = newIp()) {
  const sent: { method: string; path: string; status: number }[] = [];
  const fetchFn = async (request: Request) => {
    const headers = new Headers(request.headers);
    headers.set('x-forwarded-for', ip);
    const response = await fetch(new Request(request, { headers }));
    sent.push({
      method: request.method,
      path: new URL(request.url).pathname,
      status: response.status,
    });
    return response;
  };
  return { fetch: fetchFn, sent, ip };
}

const bases = (stack: Stack) => ({ auth: stack.authApi.baseUrl, user: stack.userApi.baseUrl });

async function registered(stack: Stack, options: Partial<ClientOptions> = {}) {
  const wire = recordingFetch();
  const client = createPlatformClient({ baseUrl: bases(stack), fetch: wire.fetch, ...options });
  const registration = newRegistration();
  const data = unwrap(await client.auth.POST('/register', { body: registration }));
  expect('user' in data && data.user.login).toBe(registration.login);
  await stack.settle();
  return { client, wire, registration };
}

describe('the client against the services', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ TRUST_PROXY_HOPS: '1', LOGIN_MAX_FAILURES_PER_ACCOUNT: '3' });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('When a user registers, then the issued pair is in the store and the user service is called with its access token', async () => {
    const { client } = await registered(stack);
    const stored = await client.tokens.get();
    expect(stored?.accessToken).toMatch(/^ey/);
    const profile = unwrap(await client.user.GET('/profile'));
    expect(profile.is_active).toBe(true);
  });

  it('When ten requests meet an expired access token at once, then one refresh serves them all and each is answered', async () => {
    const { client, wire } = await registered(stack);
    const pair = (await client.tokens.get())!;
    await client.tokens.set({ ...pair, accessToken: await expiredToken(stack, pair.accessToken) });
    wire.sent.length = 0;
    const results = await Promise.all(
      Array.from({ length: 10 }, () => client.user.GET('/profile')),
    );
    expect(results.map((r) => r.response.status)).toEqual(Array(10).fill(200));
    expect(wire.sent.filter((s) => s.path === '/refresh')).toEqual([
      { method: 'POST', path: '/refresh', status: 200 },
    ]);
    expect(wire.sent.filter((s) => s.path === '/profile' && s.status === 401)).toHaveLength(10);
    const rotated = (await client.tokens.get())!;
    expect(rotated.refreshToken).not.toBe(pair.refreshToken);
  });

  it('When the session has ended elsewhere, then the refused refresh clears the store, tells onSessionEnd, and the caller gets the 401', async () => {
    const ended: string[] = [];
    const { client } = await registered(stack, { onSessionEnd: (p) => ended.push(p.title) });
    const pair = (await client.tokens.get())!;
    const other = createPlatformClient({
      baseUrl: bases(stack),
      tokens: new MemoryTokenStore(pair),
      fetch: recordingFetch().fetch,
    });
    expect((await other.auth.POST('/logout-all')).response.ok).toBe(true);
    await stack.settle();
    const { response, error } = await client.user.GET('/profile');
    expect(response.status).toBe(401);
    expect(error).toMatchObject({ status: 401 });
    expect(await client.tokens.get()).toBeUndefined();
    expect(ended).toHaveLength(1);
  });

  it('When a login is refused, then login() throws a ProblemError with the problem of the answer', async () => {
    const { client, registration } = await registered(stack);
    const error = await client
      .login({ login: registration.login, password: 'WrongPass123!' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProblemError);
    expect((error as ProblemError).status).toBe(401);
    expect((error as ProblemError).code).toBe('invalid-credentials');
  });

  it('When the account is locked for a second, then the client waits out Retry-After and the login goes through', async () => {
    const { client, wire, registration } = await registered(stack);
    for (let i = 0; i < 4; i++) {
      const r = await client.auth.POST('/login', {
        body: { login: registration.login, password: 'WrongPass123!' },
      });
      expect(r.response.status).toBe(401);
    }
    wire.sent.length = 0;
    const started = Date.now();
    const answer = await client.login({
      login: registration.login,
      password: registration.password,
    });
    expect(answer.user.login).toBe(registration.login);
    expect(wire.sent.map((s) => s.status)).toEqual([429, 200]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('When Retry-After is longer than the client waits, then the 429 is the answer', async () => {
    const { wire, registration } = await registered(stack);
    const impatient = createPlatformClient({
      baseUrl: bases(stack),
      fetch: wire.fetch,
      maxRetryDelayMs: 100,
    });
    for (let i = 0; i < 4; i++) {
      await impatient.auth.POST('/login', {
        body: { login: registration.login, password: 'WrongPass123!' },
      });
    }
    const error = await impatient
      .login({ login: registration.login, password: registration.password })
      .catch((e: unknown) => e);
    expect((error as ProblemError).status).toBe(429);
  });

  it('When the account has an authenticator app, then login() throws mfa-required and completeMfa() finishes the login into the store', async () => {
    const { client, registration } = await registered(stack);
    const enrolment = unwrap(
      await client.auth.POST('/mfa/totp', { body: { password: registration.password } }),
    );
    const codes = await totpCodes(enrolment.secret);
    unwrap(await client.auth.POST('/mfa/totp/confirm', { body: { code: codes.previous } }));

    const fresh = createPlatformClient({ baseUrl: bases(stack), fetch: recordingFetch().fetch });
    const error = await fresh
      .login({ login: registration.login, password: registration.password })
      .catch((e: unknown) => e);
    const step = mfaRequired(error);
    expect(step?.methods).toContain('totp');
    expect(await fresh.tokens.get()).toBeUndefined();
    const done = await fresh.completeMfa({
      mfa_token: step!.mfa_token,
      method: 'totp',
      code: codes.current,
    });
    expect(done.user.login).toBe(registration.login);
    expect(decodeJwt((await fresh.tokens.get())!.accessToken)).toMatchObject({ aal: 2 });
    expect(unwrap(await fresh.user.GET('/profile')).is_active).toBe(true);
    expect(mfaRequired(new Error('not a problem'))).toBeUndefined();
  });

  it('When the client logs out, then the session ends at the services and the store is empty', async () => {
    const { client } = await registered(stack);
    const { accessToken } = (await client.tokens.get())!;
    await client.logout();
    expect(await client.tokens.get()).toBeUndefined();
    await stack.settle();
    expect((await stack.userApi.get('/profile', { token: accessToken })).status).toBe(401);
  });

  it('When the services are behind one prefix, as the gateway serves them, then every call goes to the prefix', async () => {
    const gateway = await prefixProxy(stack);
    try {
      const wire = recordingFetch();
      const client = createPlatformClient({ baseUrl: `${gateway.url}/api/`, fetch: wire.fetch });
      const registration = newRegistration();
      unwrap(await client.auth.POST('/register', { body: registration }));
      await stack.settle();
      unwrap(await client.user.PATCH('/edit-bio', { body: { bio: 'Through the prefix' } }));
      expect(unwrap(await client.user.GET('/profile')).bio).toBe('Through the prefix');
      expect(wire.sent.map((s) => s.path)).toEqual([
        '/api/register',
        '/api/edit-bio',
        '/api/profile',
      ]);
    } finally {
      await gateway.close();
    }
  });
});

describe('the client and a 503 with Retry-After', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('When the gateway answers 503 with Retry-After once, then the client waits it out and the request goes through', async () => {
    const gateway = await prefixProxy(stack, { unavailableOnce: '/profile' });
    try {
      const wire = recordingFetch();
      const client = createPlatformClient({ baseUrl: `${gateway.url}/api`, fetch: wire.fetch });
      unwrap(await client.auth.POST('/register', { body: newRegistration() }));
      await stack.settle();
      const started = Date.now();
      const profile = unwrap(await client.user.GET('/profile'));
      expect(profile.is_active).toBe(true);
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
      expect(wire.sent.filter((s) => s.path === '/api/profile').map((s) => s.status)).toEqual([
        503, 200,
      ]);
    } finally {
      await gateway.close();
    }
  });
});

describe('the client and the login challenge', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      TRUST_PROXY_HOPS: '1',
      CHALLENGE_AFTER_FAILURES: '2',
      CHALLENGE_MAX_NUMBER: '2000',
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('When the login needs a solved challenge, then the client fetches and solves one and the login goes through', async () => {
    const wire = recordingFetch();
    const client = createPlatformClient({ baseUrl: bases(stack), fetch: wire.fetch });
    const registration = newRegistration();
    unwrap(await client.auth.POST('/register', { body: registration }));
    for (let i = 0; i < 2; i++) {
      await client.auth.POST('/login', {
        body: { login: registration.login, password: 'Wrong12345!a' },
      });
    }
    wire.sent.length = 0;
    const answer = await client.login({
      login: registration.login,
      password: registration.password,
    });
    expect(answer.user.login).toBe(registration.login);
    expect(wire.sent.map((s) => `${s.path} ${s.status}`)).toEqual([
      '/login 428',
      '/challenge 200',
      '/login 200',
    ]);
  });

  it('When challenges are not to be solved, then the 428 is thrown as challenge-required', async () => {
    const wire = recordingFetch();
    const client = createPlatformClient({
      baseUrl: bases(stack),
      fetch: wire.fetch,
      solveChallenges: false,
    });
    const registration = newRegistration();
    unwrap(await client.auth.POST('/register', { body: registration }));
    for (let i = 0; i < 2; i++) {
      await client.auth.POST('/login', {
        body: { login: registration.login, password: 'Wrong12345!a' },
      });
    }
    const error = await client
      .login({ login: registration.login, password: registration.password })
      .catch((e: unknown) => e);
    expect((error as ProblemError).code).toBe('challenge-required');
  });
});

describe('Retry-After', () => {
  it('When it is given in seconds or as an HTTP date, then the wait is read from either; anything else is no wait', () => {
    const now = Date.parse('2026-12-03T12:00:00Z');
    expect(retryAfterMs('3', now)).toBe(3000);
    expect(retryAfterMs('Thu, 03 Dec 2026 12:00:05 GMT', now)).toBe(5000);
    expect(retryAfterMs('Thu, 03 Dec 2026 11:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });
});

/**
 * A stand-in for the gateway's routing only (KrakenD itself does not run here): /api/<path> goes to
 * the user service for its operations and to the auth service for the rest.
 */
async function prefixProxy(
  stack: Stack,
  opts: { unavailableOnce?: string } = {},
): Promise<{ url: string; close: () => Promise<void> }> {
  let unavailable = opts.unavailableOnce;
  const server: Server = createServer(async (req, res) => {
    const path = (req.url ?? '').replace(/^\/api/, '');
    if (unavailable !== undefined && path === unavailable) {
      // As a gateway answers while its backend restarts: 503, and when to come back.
      unavailable = undefined;
      res.writeHead(503, { 'content-type': 'application/problem+json', 'retry-after': '1' });
      res.end(JSON.stringify({ type: 'about:blank', title: 'Service Unavailable', status: 503 }));
      return;
    }
    const target = /^\/(profile|edit-bio)\b/.test(path)
      ? stack.userApi.baseUrl
      : stack.authApi.baseUrl;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) {
      if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers.set(k, v);
    }
    const upstream = await fetch(target + path, {
      method: req.method,
      headers,
      ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
    });
    res.writeHead(upstream.status, Object.fromEntries(upstream.headers));
    res.end(Buffer.from(await upstream.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
