import type Koa from 'koa';
import type { Logger } from 'pino';
import { problemBody, PROBLEM_CONTENT_TYPE, toAppError } from '../errors/problem.js';

/**
 * The one renderer: every error leaves as problem+json; unexpected ones are logged, never echoed. It
 * also writes each request's access line, whose fields are fixed and never a credential (the path
 * without its query): that line skips the logger's redaction pass, which would double its cost.
 */
export function errorMiddleware(logger: Logger): Koa.Middleware {
  const access = logger.child({}, { redact: { paths: [] } });
  return async (ctx, next) => {
    const started = performance.now();
    const requestId = ctx.state.requestId as string;
    try {
      await next();
    } catch (err) {
      const error = toAppError(err);
      if (error.status >= 500) {
        logger.error({ err: error.cause ?? err, requestId, path: ctx.path }, 'request failed');
      }
      ctx.status = error.status;
      ctx.set(error.headers);
      ctx.type = PROBLEM_CONTENT_TYPE;
      ctx.body = problemBody(error, requestId);
    }
    access.info(
      {
        requestId,
        method: ctx.method,
        route: typeof ctx.state.route === 'string' ? ctx.state.route : 'unmatched',
        path: ctx.path,
        status: ctx.status,
        durationMs: Math.round((performance.now() - started) * 100) / 100,
      },
      'request',
    );
  };
}
