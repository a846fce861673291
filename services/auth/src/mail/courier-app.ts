import Koa from 'koa';
import { metricsEndpoint, type Registry } from '@platform/common';

/**
 * The courier process's own small server, for its probes and Prometheus: GET /healthz (alive),
 * GET /readyz (the database answers and the courier is not stopping; 503 otherwise) and
 * GET /metrics. It serves no API, so it needs none of the service's HTTP stack.
 */
export function createCourierApp(
  ping: () => Promise<void>,
  draining: () => boolean,
  registry: Registry,
): Koa {
  const app = new Koa();
  app.use(metricsEndpoint(registry));
  app.use(async (ctx) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return problem(ctx, 405, 'Use GET.');
    if (ctx.path === '/healthz') return ok(ctx);
    if (ctx.path !== '/readyz') return problem(ctx, 404, 'Only /healthz, /readyz and /metrics.');
    if (draining()) return problem(ctx, 503, 'The courier is shutting down.');
    try {
      await ping();
    } catch {
      return problem(ctx, 503, 'The database is unreachable.');
    }
    ok(ctx);
  });
  return app;
}

function ok(ctx: Koa.Context): void {
  ctx.set('Cache-Control', 'no-store');
  ctx.body = { status: 'ok' };
}

function problem(ctx: Koa.Context, status: number, detail: string): void {
  ctx.status = status;
  ctx.set('Cache-Control', 'no-store');
  ctx.type = 'application/problem+json';
  ctx.body = JSON.stringify({ type: 'about:blank', title: ctx.message, status, detail });
}
