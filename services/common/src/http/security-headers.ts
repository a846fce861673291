import type { IncomingMessage, ServerResponse } from 'node:http';
import type Koa from 'koa';
import helmet from 'helmet';

/**
 * The headers helmet sets for the options below. None depends on the request, so they are worked out
 * once, by running helmet against a stand-in response, and each response gets the list: helmet's
 * chain of middlewares cost more per request than the rest of the headers' work.
 */
function apiHeaders(): [string, string][] {
  const headers = new Map<string, string>();
  const res = {
    setHeader: (name: string, value: string | number | readonly string[]) =>
      headers.set(name, Array.isArray(value) ? value.join(', ') : String(value)),
    removeHeader: (name: string) => headers.delete(name),
  };
  const fail = (err?: unknown) => {
    if (err) throw err instanceof Error ? err : new Error(String(err));
  };
  helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    },
    strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    // For pages of old browsers and plug-ins (IE8 downloads, Flash, the XSS auditor, DNS prefetch,
    // origin-keyed agent clusters): nothing a JSON API renders; 170 bytes of every answer.
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false,
    originAgentCluster: false,
  })({} as IncomingMessage, res as unknown as ServerResponse, fail);
  return [...headers];
}

/**
 * The response headers of a JSON API (OWASP REST Security, ASVS 3.4): no response may be framed, run
 * as a page, sniffed into another type, leak the URL as a referrer, be read cross-origin or be cached.
 * The docs pages set their own policy and caching after this runs, as do the JWKS and the docs assets.
 */
export function securityHeaders(): Koa.Middleware {
  const headers = apiHeaders();
  return async (ctx, next) => {
    for (const [name, value] of headers) ctx.set(name, value);
    // Tokens and profiles must never sit in a cache (RFC 6749 §5.1); a handler may allow it.
    ctx.set('Cache-Control', 'no-store');
    await next();
    // An error may follow a handler's caching header (an asset that failed to load): never keep it.
    if (ctx.status >= 400) ctx.set('Cache-Control', 'no-store');
  };
}
