import type Koa from 'koa';
import { Histogram, type Registry } from 'prom-client';

/** The route label of a request that matched no route: raw paths would make the label unbounded. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * Times every request into `http_request_duration_seconds{method, route, status}`. `route` is what the
 * app put in `ctx.state.route` (the OpenAPI path template, or a fixed name for the service's own pages)
 * and `unmatched` otherwise. Placed outside the error renderer, so it sees the status that was sent.
 */
export function httpMetricsMiddleware(registry: Registry): Koa.Middleware {
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method, route template and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return async (ctx, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      duration.observe(
        {
          method: ctx.method,
          route: typeof ctx.state.route === 'string' ? ctx.state.route : UNMATCHED_ROUTE,
          status: String(ctx.status),
        },
        (performance.now() - started) / 1000,
      );
    }
  };
}

/** GET /metrics: the registry in Prometheus's text exposition format. */
export function metricsEndpoint(registry: Registry): Koa.Middleware {
  return async (ctx, next) => {
    if (ctx.path !== '/metrics' || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) return next();
    ctx.state.route = '/metrics';
    const body = await registry.metrics();
    ctx.set('Cache-Control', 'no-store');
    ctx.type = registry.contentType;
    ctx.body = body;
  };
}
