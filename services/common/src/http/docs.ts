import type Koa from 'koa';
import { ASSET_PREFIX, assetUrl, serveAsset } from './docs-assets.js';

/**
 * The pages may load only what this service serves. Inline styles are React's and styled-components';
 * blob: workers are Redoc's search index; connections go to this service and the contract's servers
 * (Swagger UI's "Try it out"). Redoc's sidebar logo from its CDN is refused, and the bundle then hides it.
 */
function contentSecurityPolicy(servers: readonly string[]): string {
  const origins = servers.flatMap((url) => {
    try {
      return [new URL(url).origin];
    } catch {
      return []; // a relative server URL is this origin
    }
  });
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src ${["'self'", ...new Set(origins)].join(' ')}`,
    "worker-src 'self' blob:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function page(title: string, head: string, body: string): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>${escapeHtml(title)}</title>
    <link rel="icon" type="image/png" href="${assetUrl('favicon-32x32.png')}">
${head}
  </head>
  <body style="margin: 0">
${body}
  </body>
</html>
`;
}

export interface DocsOptions {
  /** The API's name, for the page titles. */
  title: string;
  /** The contract's server URLs, which Swagger UI's "Try it out" may call. */
  servers?: readonly string[];
}

/**
 * Interactive API docs built from the service's own GET /openapi.json: Swagger UI at /docs, ReDoc at
 * /redoc. Every script, style and icon comes from npm packages installed with this one and is served
 * from /docs/assets/<version>/..., so the docs work offline and nothing is fetched from elsewhere.
 */
export function serveDocs(opts: DocsOptions): Koa.Middleware {
  const pages: Record<string, string> = {
    '/docs': page(
      `${opts.title} – Swagger UI`,
      `    <link rel="stylesheet" href="${assetUrl('swagger-ui.css')}">`,
      [
        '    <div id="swagger-ui"></div>',
        `    <script src="${assetUrl('swagger-ui-bundle.js')}"></script>`,
        `    <script src="${assetUrl('swagger-init.js')}"></script>`,
      ].join('\n'),
    ),
    '/redoc': page(
      `${opts.title} – ReDoc`,
      '',
      [
        '    <redoc spec-url="openapi.json"></redoc>',
        `    <script src="${assetUrl('bundles/redoc.standalone.js')}"></script>`,
      ].join('\n'),
    ),
  };
  const csp = contentSecurityPolicy(opts.servers ?? []);

  return async (ctx, next) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    const html = pages[ctx.path];
    if (html !== undefined) {
      ctx.state.route = ctx.path;
      ctx.set({
        'Cache-Control': 'no-cache',
        'Content-Security-Policy': csp,
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'no-referrer',
      });
      ctx.type = 'text/html; charset=utf-8';
      ctx.body = html;
      return;
    }
    if (ctx.path === '/docs/' || ctx.path === '/redoc/') {
      // Relative asset URLs need the page at the path without the slash.
      ctx.state.route = ctx.path;
      ctx.status = 301;
      ctx.set('Location', `../${ctx.path.slice(1, -1)}`);
      return;
    }
    if (ctx.path.startsWith(ASSET_PREFIX)) return serveAsset(ctx, next);
    return next();
  };
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}
