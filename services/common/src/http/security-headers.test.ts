import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { errors } from '../errors/app-error.js';
import { errorMiddleware } from './error-middleware.js';
import { securityHeaders } from './security-headers.js';

let server: Server | undefined;

afterEach(
  () => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())),
);

/** GET / on an app whose only handler is `handler`, behind the headers and the error renderer. */
async function get(handler: Koa.Middleware): Promise<Response> {
  const app = new Koa();
  app.use(securityHeaders());
  app.use(errorMiddleware(pino({ level: 'silent' })));
  app.use(handler);
  server = createServer(app.callback());
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
}

describe('securityHeaders', () => {
  it('When a handler allows caching, then its Cache-Control stands', async () => {
    const res = await get((ctx) => {
      ctx.set('Cache-Control', 'public, max-age=300');
      ctx.body = {};
    });
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
  });

  it('When a handler allowed caching and then failed, then the error answer is no-store', async () => {
    const res = await get((ctx) => {
      ctx.set('Cache-Control', 'public, max-age=31536000, immutable');
      throw errors.internal(new Error('the asset could not be read'));
    });
    expect(res.status).toBe(500);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });
});
