import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/stack.js';

// A client that sends its request a byte at a time holds a connection (and its memory) for as long
// as it likes unless the server cuts it off; the services do, after HTTP_HEADERS_TIMEOUT_MS for the
// headers and HTTP_REQUEST_TIMEOUT_MS for the whole request, while a keep-alive connection that is
// merely idle between requests (the gateway's) stays open.

const HEADERS_MS = 1_000;
const REQUEST_MS = 2_000;
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_MS),
    HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_MS),
  });
});
afterAll(async () => {
  await stack?.stop();
});

interface Trickle {
  /** What the server sent back. */
  answer: string;
  /** Milliseconds from the first byte sent until the server closed the connection. */
  closedAfterMs: number;
}

/**
 * Sends `head` at once, then `rest` one byte every `everyMs`, until the server closes the connection
 * (or `giveUpMs` passes: then the answer is whatever came, and closedAfterMs is Infinity).
 */
function trickle(
  baseUrl: string,
  head: string,
  rest: string,
  everyMs: number,
  giveUpMs = 10_000,
): Promise<Trickle> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let answer = '';
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    const socket = net.connect(Number(port), hostname, () => {
      socket.write(head);
      timer = setInterval(() => {
        if (sent < rest.length && !socket.destroyed) socket.write(rest[sent++]!);
      }, everyMs);
    });
    const done = (closedAfterMs: number) => {
      clearInterval(timer);
      clearTimeout(giveUp);
      socket.destroy();
      resolve({ answer, closedAfterMs });
    };
    const giveUp = setTimeout(() => done(Infinity), giveUpMs);
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.on('error', (err) =>
      (err as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(err),
    );
    socket.on('close', () => done(Date.now() - started));
  });
}

const statusOf = (answer: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]);
const bodyOf = (answer: string) => JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));

describe('slow clients', () => {
  it('When a client trickles its headers in, then it gets 408 problem+json and is cut off soon after the headers timeout', async () => {
    for (const api of [stack.authApi, stack.userApi]) {
      const headers = 'Host: localhost\r\nX-Slow: ' + 'a'.repeat(200) + '\r\n\r\n';
      const res = await trickle(api.baseUrl, 'GET /healthz HTTP/1.1\r\n', headers, 100);
      expect(statusOf(res.answer), res.answer).toBe(408);
      expect(res.answer).toMatch(/content-type: application\/problem\+json/i);
      expect(bodyOf(res.answer).type).toBe('urn:problem:request-timeout');
      // The server checks its connections every quarter of the headers timeout.
      expect(res.closedAfterMs).toBeGreaterThanOrEqual(HEADERS_MS - 50);
      expect(res.closedAfterMs).toBeLessThan(HEADERS_MS + 1_000);
    }
  });

  it('When a client trickles its body in, then it is cut off soon after the request timeout', async () => {
    const body = JSON.stringify({ login: 'slow_body', password: 'x'.repeat(60) });
    const head =
      'POST /login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n' +
      `Content-Length: ${body.length}\r\n\r\n`;
    const res = await trickle(stack.authApi.baseUrl, head, body, 100);
    expect(res.closedAfterMs).toBeGreaterThanOrEqual(REQUEST_MS - 50);
    expect(res.closedAfterMs).toBeLessThan(REQUEST_MS + 1_000);
    expect(statusOf(res.answer), res.answer).toBe(408);
  });

  it('When a keep-alive connection is idle between requests for longer than both timeouts, then its next request is answered', async () => {
    const { hostname, port } = new URL(stack.userApi.baseUrl);
    const socket = net.connect(Number(port), hostname);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const request = 'GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n';
    const nextAnswer = () =>
      new Promise<string>((resolve) => socket.once('data', (chunk) => resolve(chunk.toString())));
    try {
      socket.write(request);
      expect(statusOf(await nextAnswer())).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, REQUEST_MS + 1_500));
      expect(socket.destroyed).toBe(false);
      socket.write(request);
      expect(statusOf(await nextAnswer())).toBe(200);
    } finally {
      socket.destroy();
    }
  });
});
