import { randomUUID } from 'node:crypto';
import type Koa from 'koa';

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Takes `X-Request-Id` when it is a sane token, creates one otherwise, and echoes it back. */
export function requestIdMiddleware(): Koa.Middleware {
  return async (ctx, next) => {
    const incoming = ctx.get('x-request-id');
    const id = SAFE_ID.test(incoming) ? incoming : randomUUID();
    ctx.state.requestId = id;
    ctx.set('X-Request-Id', id);
    await next();
  };
}
