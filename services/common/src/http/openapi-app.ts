import { isIP } from 'node:net';
import { Readable } from 'node:stream';
import Koa from 'koa';
import bodyParser from 'koa-bodyparser';
import { OpenAPIBackend, type Context as ApiContext, type Document } from 'openapi-backend';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { describeRequirement, isAllowed } from '../auth/permissions.js';
import type { AppError } from '../errors/app-error.js';
import { errors } from '../errors/app-error.js';
import { httpMetricsMiddleware, metricsEndpoint } from '../metrics/http-metrics.js';
import { withDatabaseDeadline } from '../data/deadline.js';
import { createAjv } from './ajv.js';
import { serveDocs } from './docs.js';
import { fieldErrors } from './field-errors.js';
import { memoizeOperations } from './operations-cache.js';
import { errorMiddleware } from './error-middleware.js';
import { requestIdMiddleware } from './request-id.js';
import { securityHeaders } from './security-headers.js';
import type { HandlerMap, PrincipalBase, SecurityHandler } from './handler-types.js';

export interface OpenApiAppOptions<
  Ops,
  Secured extends keyof Ops,
  Principal extends PrincipalBase,
> {
  definition: Document;
  handlers: HandlerMap<Ops, Secured, Principal>;
  /** One handler per security scheme of the document. */
  security: Record<string, SecurityHandler<Principal>>;
  logger: Logger;
  /** This service's metrics: every request is timed into it, and GET /metrics serves it (see serveMetrics). */
  metrics: Registry;
  /** False when the metrics are served on a management port instead (MANAGEMENT_PORT). */
  serveMetrics?: boolean;
  /** Called when a request breaks the contract (before its 422 is sent), with its operationId. */
  onValidationFailed?: (operationId: string) => void;
  bodyLimit?: string;
  /** Proxies in front of the service whose X-Forwarded-For entries are believed (0: none). */
  trustProxyHops?: number;
  /** How long a request may wait on the database in all (DATABASE_TIMEOUT_MS); unbounded if unset. */
  databaseTimeoutMs?: number;
}

/** What a service's composition root decides about its HTTP stack. */
export type ServiceHttpOptions = Pick<
  OpenApiAppOptions<unknown, never, PrincipalBase>,
  'trustProxyHops' | 'databaseTimeoutMs' | 'serveMetrics'
>;

const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete'];

interface OperationExtras {
  'x-required-roles'?: string[];
  'x-required-permissions'?: string[];
  /** The authenticator assurance level the caller's session must have (2: a second factor). */
  'x-required-aal'?: number;
  requestBody?: unknown;
}

/**
 * A Koa app whose routing, validation and security come from the OpenAPI document: the document is
 * the router, the handler map supplies the behaviour.
 */
export function createOpenApiApp<Ops, Secured extends keyof Ops, Principal extends PrincipalBase>(
  opts: OpenApiAppOptions<Ops, Secured, Principal>,
): Koa {
  const api = new OpenAPIBackend({
    definition: opts.definition,
    quick: true,
    strict: true,
    // A request with no parameters, query or body to an operation that declares none passes
    // validation by construction; checking it anyway parsed the request twice more.
    validate: (c: ApiContext) => hasInput(c),
    coerceTypes: true,
    customizeAjv: (_default, ajvOpts) => createAjv({ coerceTypes: Boolean(ajvOpts.coerceTypes) }),
  });

  const fail = (error: AppError) => {
    throw error;
  };

  for (const [scheme, verify] of Object.entries(opts.security)) {
    api.registerSecurityHandler(scheme, (_c: ApiContext, ctx: Koa.Context) => verify(ctx.headers));
  }

  api.register({
    notFound: (c: ApiContext) =>
      fail(errors.notFound(`No route for ${c.request.method.toUpperCase()} ${c.request.path}.`)),
    methodNotAllowed: (c: ApiContext) => {
      const allowed = HTTP_METHODS.filter((method) =>
        api.router.matchOperation({ method, path: c.request.path, headers: {} }),
      ).map((method) => method.toUpperCase());
      return fail(
        errors.methodNotAllowed(
          `${c.request.method.toUpperCase()} is not allowed on ${c.request.path}.`,
          allowed,
        ),
      );
    },
    postRoutingHandler: (c: ApiContext, ctx: Koa.Context) => {
      const operation = c.operation as (typeof c.operation & OperationExtras) | undefined;
      if (operation) ctx.state.route = operation.path;
      if (operation?.requestBody && hasBody(ctx) && !ctx.request.is('application/json')) {
        fail(errors.unsupportedMediaType());
      }
    },
    unauthorizedHandler: (c: ApiContext) => {
      const results = Object.values(c.security ?? {}) as unknown[];
      const refusal = results.find(
        (r): r is { error: unknown } => typeof r === 'object' && r !== null && 'error' in r,
      );
      if (refusal?.error instanceof Error) throw refusal.error;
      return fail(errors.missingToken());
    },
    postSecurityHandler: (c: ApiContext) => {
      const operation = c.operation as OperationExtras | undefined;
      const required = {
        roles: operation?.['x-required-roles'],
        permissions: operation?.['x-required-permissions'],
      };
      if (!c.security?.authorized) return;
      const principal = firstPrincipal<Principal>(c);
      if (principal && !isAllowed(principal.roles, required)) {
        fail(errors.forbidden(`This operation requires ${describeRequirement(required)}.`));
      }
      const aal = operation?.['x-required-aal'];
      if (principal && aal !== undefined && (principal.aal ?? 1) < aal) {
        fail(errors.insufficientAal(aal));
      }
      const offCanon = nonCanonicalIntegers(c);
      if (offCanon.length > 0) fail(errors.validation(offCanon));
    },
    validationFail: (c: ApiContext) => {
      if (c.operation.operationId) opts.onValidationFailed?.(c.operation.operationId);
      const found = c.validation.errors ?? [];
      // A query that breaks the contract asks for something malformed (400), as a bad cursor does.
      if (found.length > 0 && found.every((e) => e.instancePath.startsWith('/query'))) {
        return fail(errors.invalidQuery(fieldErrors(found)));
      }
      return fail(errors.validation(fieldErrors(found)));
    },
  });
  for (const [operationId, handler] of Object.entries(opts.handlers) as [
    string,
    (req: unknown) => unknown,
  ][]) {
    api.register(operationId, async (c: ApiContext, ctx: Koa.Context) => {
      const principal = firstPrincipal<Principal>(c);
      // openapi-backend refuses an unauthorised request before this; the handler's type relies on it.
      if (!principal && requiresCredentials(c.operation.security)) throw errors.missingToken();
      const reply = (await handler({
        body: c.request.requestBody,
        // The validated copy: path parameters coerced to their schema types (an integer id is a number).
        params: c.validation?.coerced?.params ?? c.request.params,
        query: c.validation?.coerced?.query ?? c.request.query,
        principal,
        requestId: ctx.state.requestId as string,
        ip: clientIp(ctx),
        header: (name: string) => ctx.get(name) || undefined,
      })) as { status: number; body: unknown; headers?: Record<string, string> };
      ctx.status = reply.status;
      if (reply.headers) ctx.set(reply.headers);
      if (isAsyncIterable(reply.body)) {
        // NDJSON: sent line by line as the handler produces it (see NdjsonStream).
        ctx.type = 'application/x-ndjson';
        ctx.body = Readable.from(reply.body, { objectMode: false });
      } else if (reply.body !== undefined) ctx.body = reply.body;
    });
  }
  api.init();
  memoizeOperations(api.router);

  const app = new Koa();
  // The client IP (brute-force counters, audit) is the peer address unless proxies are trusted.
  app.proxy = (opts.trustProxyHops ?? 0) > 0;
  app.maxIpsCount = opts.trustProxyHops ?? 0;
  app.use(securityHeaders());
  app.use(requestIdMiddleware());
  app.use(httpMetricsMiddleware(opts.metrics));
  app.use(errorMiddleware(opts.logger));
  const databaseBudget = opts.databaseTimeoutMs;
  if (databaseBudget !== undefined)
    app.use((_ctx, next) => withDatabaseDeadline(databaseBudget, next));
  if (opts.serveMetrics !== false) app.use(metricsEndpoint(opts.metrics));
  app.use(serveSpec(opts.definition));
  app.use(
    serveDocs({
      title: opts.definition.info.title,
      servers: (opts.definition.servers ?? []).map((server) => server.url),
    }),
  );
  app.use(async (ctx, next) => {
    // A path that is not valid percent-encoding names no resource (and the router cannot decode it).
    if (!decodable(ctx.path)) throw errors.malformedPath();
    try {
      await next();
    } finally {
      // A routed request has its operation's template (postRoutingHandler); one refused before it
      // was routed (a malformed body, a wrong method) is still counted under its path's template.
      ctx.state.route ??= routeTemplate(api, ctx.method, ctx.path);
    }
  });
  app.use(bodyParser({ enableTypes: ['json'], jsonLimit: opts.bodyLimit ?? '16kb', strict: true }));
  app.use(async (ctx) => {
    await api.handleRequest(
      {
        method: ctx.method,
        path: ctx.path,
        query: ctx.querystring,
        headers: ctx.headers as Record<string, string>,
        body: hasBody(ctx) ? ctx.request.body : undefined,
      },
      ctx,
    );
  });
  return app;
}

/**
 * The contract's path template of the request (`/account-delete/{user_id}`), also when only the method
 * is wrong; undefined when no path of the contract matches.
 */
function routeTemplate(api: OpenAPIBackend, method: string, path: string): string | undefined {
  const match = (m: string) => api.router.matchOperation({ method: m, path, headers: {} })?.path;
  return match(method.toLowerCase()) ?? HTTP_METHODS.map(match).find((p) => p !== undefined);
}

/** The contract itself, for tools and clients: GET /openapi.json. */
function serveSpec(definition: Document): Koa.Middleware {
  const body = JSON.stringify(definition);
  return async (ctx, next) => {
    if (ctx.path !== '/openapi.json' || ctx.method !== 'GET') return next();
    ctx.state.route = '/openapi.json';
    ctx.type = 'application/json';
    ctx.body = body;
  };
}

/** Whether the request or its operation has anything to validate: parameters, a query, a body. */
function hasInput(c: ApiContext): boolean {
  const operation = c.operation as (typeof c.operation & OperationExtras) | undefined;
  if (!operation) return true;
  return (
    (operation.parameters?.length ?? 0) > 0 ||
    operation.requestBody !== undefined ||
    c.request.requestBody !== undefined ||
    Object.keys(c.request.query ?? {}).length > 0
  );
}

function isAsyncIterable(value: unknown): value is AsyncIterable<string> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

function hasBody(ctx: Koa.Context): boolean {
  const length = Number(ctx.get('content-length') || 0);
  return length > 0 || ctx.get('transfer-encoding') !== '';
}

function decodable(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

/** Integers in a path are written one way only: decimal digits, no sign, no leading zero. */
const CANONICAL_INTEGER = /^(0|[1-9][0-9]*)$/;

/**
 * The integer path parameters not written canonically: the validator's coercion takes `0x13`,
 * `19e0`, `019`, `+19` and ` 19` as 19, so one account would have many paths.
 */
function nonCanonicalIntegers(c: ApiContext) {
  const parameters = (c.operation?.parameters ?? []) as {
    in?: string;
    name?: string;
    schema?: { type?: string };
  }[];
  return parameters
    .filter((p) => p.in === 'path' && p.schema?.type === 'integer' && p.name)
    .filter((p) => !CANONICAL_INTEGER.test(String(c.request.params[p.name!] ?? '')))
    .map((p) => ({
      field: p.name!,
      message: 'must be a decimal integer without sign or leading zeros',
    }));
}

/**
 * The client's address for the throttle and the audit: Koa's, from X-Forwarded-For when proxies are
 * trusted, unless that entry is not an address (then the peer's, which a client cannot forge).
 */
function clientIp(ctx: Koa.Context): string {
  return isIP(ctx.ip) ? ctx.ip : (ctx.socket.remoteAddress ?? ctx.ip);
}

/** Whether every alternative of a security requirement needs credentials (`{}` would make them optional). */
function requiresCredentials(security: readonly object[] | undefined): boolean {
  return (security ?? []).length > 0 && security!.every((r) => Object.keys(r).length > 0);
}

function firstPrincipal<Principal>(c: ApiContext): Principal | undefined {
  if (!c.security?.authorized) return undefined;
  for (const [name, value] of Object.entries(c.security)) {
    if (name !== 'authorized' && value && typeof value === 'object' && !('error' in value))
      return value as Principal;
  }
  return undefined;
}
