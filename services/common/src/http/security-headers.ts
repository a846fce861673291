import type Koa from 'koa';
import helmet from 'koa-helmet';

/**
 * The response headers of a JSON API (OWASP REST Security, ASVS 3.4): no response may be framed, run
 * as a page, sniffed into another type, leak the URL as a referrer, be read cross-origin or be cached.
 * The docs pages set their own policy and caching after this runs, as do the JWKS and the docs assets.
 */
export function securityHeaders(): Koa.Middleware {
  const headers = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    },
    strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
  });
  return async (ctx, next) => {
    // Tokens and profiles must never sit in a cache (RFC 6749 §5.1); a handler may allow it.
    ctx.set('Cache-Control', 'no-store');
    await headers(ctx, next);
    // An error may follow a handler's caching header (an asset that failed to load): never keep it.
    if (ctx.status >= 400) ctx.set('Cache-Control', 'no-store');
  };
}
