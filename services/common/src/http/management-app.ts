import Koa from 'koa';
import type { Registry } from 'prom-client';
import { withDatabaseDeadline } from '../data/deadline.js';
import { metricsEndpoint } from '../metrics/http-metrics.js';

export interface ManagementAppOptions {
  /** Answers when the database does. */
  ping: () => Promise<void>;
  /** True once the process has been told to stop (SIGTERM). */
  draining: () => boolean;
  /** Whether the broker is connected, where the process uses one. */
  busHealthy?: () => boolean;
  registry: Registry;
  /** How long /readyz waits for the database (DATABASE_TIMEOUT_MS). */
  databaseTimeoutMs: number;
  /** Named in the 503 of a process that is stopping. */
  name: string;
}

/**
 * The management port's server, for probes and Prometheus and nothing else (no API, none of the API's
 * HTTP stack): GET /healthz (alive), GET /readyz (not stopping, the database answering within its
 * timeout, the broker connected; 503 otherwise) and GET /metrics. The courier serves it on its only
 * port; the services on MANAGEMENT_PORT, which keeps /metrics off the public port.
 */
export function createManagementApp(opts: ManagementAppOptions): Koa {
  const app = new Koa();
  app.use(metricsEndpoint(opts.registry));
  app.use(async (ctx) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return problem(ctx, 405, 'Use GET.');
    if (ctx.path === '/healthz') return ok(ctx);
    if (ctx.path !== '/readyz') return problem(ctx, 404, 'Only /healthz, /readyz and /metrics.');
    if (opts.draining()) return problem(ctx, 503, `The ${opts.name} is shutting down.`);
    try {
      await withDatabaseDeadline(opts.databaseTimeoutMs, opts.ping);
    } catch {
      return problem(ctx, 503, 'The database is unreachable.');
    }
    if (opts.busHealthy && !opts.busHealthy()) {
      return problem(ctx, 503, 'The message broker is unreachable.');
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
