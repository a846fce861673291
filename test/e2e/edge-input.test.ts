import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newRegistration } from '../support/factories.js';
import { startStack, type Stack } from '../support/stack.js';

// Input from the edges of what a client can send: none of it is a 500, every answer is problem+json,
// and each thing has one spelling only.

const ADMIN = { login: 'edge_admin', email: 'edge_admin@example.com', password: 'AdminPass123!' };
let stack: Stack;
let admin: string;

beforeAll(async () => {
  stack = await startStack({
    ADMIN_LOGIN: ADMIN.login,
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    TRUST_PROXY_HOPS: '1',
  });
  const res = await stack.authApi.post('/login', { login: ADMIN.login, password: ADMIN.password });
  admin = res.body.token_pair.access_token.token;
});
afterAll(async () => {
  await stack?.stop();
});

/** Sends raw bytes and returns what came back, once the server closes or `waitMs` passes. */
function raw(baseUrl: string, bytes: string, opts: { endAfterMs?: number } = {}): Promise<string> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.write(bytes));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.on('error', reject);
    socket.on('close', () => resolve(answer));
    if (opts.endAfterMs !== undefined) setTimeout(() => socket.destroy(), opts.endAfterMs);
  });
}

const statusOf = (answer: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]);

describe('input at the edges', () => {
  it('When a path parameter is broken percent-encoding, then it gets 400 malformed-path, not a 500', async () => {
    for (const [api, path] of [
      [stack.authApi, '/users/%ff/roles'],
      [stack.authApi, '/users/%E0%A4%A/roles'],
      [stack.userApi, '/profile%'],
    ] as const) {
      const res = await api.get(path);
      expect(res.status, path).toBe(400);
      expect(res.contentType).toMatch(/^application\/problem\+json/);
      expect(res.body.type).toBe('urn:problem:malformed-path');
    }
  });

  it('When an account id is written other than in canonical decimal, then it gets 422; canonical, 200', async () => {
    const user = await stack.authApi.post('/register', newRegistration());
    const id = user.body.user.id as number;
    expect((await stack.authApi.get(`/users/${id}/roles`, { token: admin })).status).toBe(200);
    for (const spelling of [`0x${id.toString(16)}`, `${id}e0`, `0${id}`, `+${id}`, `%20${id}`]) {
      const res = await stack.authApi.get(`/users/${spelling}/roles`, { token: admin });
      expect(res.status, spelling).toBe(422);
      expect(res.body.errors[0].field).toBe('user_id');
    }
  });

  it('When a token is sent with padding or other characters added to a segment, then it is refused', async () => {
    const pair = (await stack.authApi.post('/register', newRegistration())).body.token_pair;
    const token = pair.access_token.token as string;
    expect((await stack.userApi.get('/profile', { token })).status).not.toBe(401);
    for (const variant of [`${token}==`, `${token}=`, token.replace('.', '=.')]) {
      expect((await stack.userApi.get('/profile', { token: variant })).status).toBe(401);
      expect((await stack.authApi.post('/logout-all', undefined, { token: variant })).status).toBe(
        401,
      );
    }
  });

  it('When a trusted proxy hop is not an IP address, then the peer address is the client’s', async () => {
    const attempt = async (forwarded: string) => {
      const login = `nobody_${Math.random().toString(36).slice(2, 10)}`;
      await stack.authApi.post(
        '/login',
        { login, password: 'WrongPass123!' },
        { headers: { 'x-forwarded-for': forwarded } },
      );
      const { rows } = await stack.authDb.query<{ ip: string }>(
        "SELECT ip FROM audit_log WHERE login = ? AND action = 'login'",
        [login],
      );
      return rows[0]?.ip;
    };
    expect(await attempt('203.0.113.9')).toBe('203.0.113.9');
    expect(await attempt('not-an-address')).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
    expect(await attempt('203.0.113.9:443')).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
  });

  it('When the parser refuses a request (unknown method, oversized headers), then the answer is problem+json', async () => {
    const unknown = await raw(stack.authApi.baseUrl, 'BREW /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(statusOf(unknown)).toBe(400);
    expect(unknown).toMatch(/content-type: application\/problem\+json/i);
    expect(unknown).toContain('"urn:problem:malformed-request"');

    const big = `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`;
    const oversized = await raw(stack.userApi.baseUrl, big);
    expect(statusOf(oversized)).toBe(431);
    expect(oversized).toContain('"urn:problem:headers-too-large"');
  });

  it('When a client stops sending its body halfway, then nothing is counted or logged as a 500', async () => {
    const partial =
      'POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{"login":';
    await raw(stack.authApi.baseUrl, partial, { endAfterMs: 100 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const metrics = await (await fetch(`${stack.authApi.baseUrl}/metrics`)).text();
    const errorsOnLogin = metrics
      .split('\n')
      .filter(
        (l) => l.startsWith('http_request_duration_seconds_count') && l.includes('status="500"'),
      );
    expect(errorsOnLogin).toEqual([]);
  });
});
