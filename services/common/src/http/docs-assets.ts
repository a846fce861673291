import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import type Koa from 'koa';

// The files behind /docs and /redoc, from npm packages installed with this one (nothing from a CDN).

const gzip = promisify(gzipCallback);
const require = createRequire(import.meta.url);

interface Asset {
  /** The URL segment that changes whenever the content does, so the asset can be cached for good. */
  version: string;
  type: string;
  load: () => Promise<Buffer>;
}

/** Swagger UI's settings; a file rather than an inline script, so the page's CSP can forbid those. */
const SWAGGER_INIT = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: 'openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    displayRequestDuration: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
  });
});
`;

/**
 * The files of each docs package that the pages load, with their content types. Nothing else of these
 * packages is read (they are resolved by their package.json alone), so the image build deletes the
 * rest of them and of their dependencies (scripts/images/slim-runtime.mjs reads this list).
 */
export const DOCS_PACKAGE_FILES = {
  'swagger-ui-dist': {
    'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
    'swagger-ui.css': 'text/css; charset=utf-8',
    'favicon-32x32.png': 'image/png',
    // Read only by a browser's developer tools.
    'swagger-ui-bundle.js.map': 'application/json',
    'swagger-ui.css.map': 'application/json',
  },
  // The standalone bundle carries React and the rest of Redoc's dependencies in one file.
  redoc: {
    'bundles/redoc.standalone.js': 'text/javascript; charset=utf-8',
    'bundles/redoc.standalone.js.map': 'application/json',
  },
} as const satisfies Record<string, Record<string, string>>;

function packageAssets(pkg: string, files: Record<string, string>): [string, Asset][] {
  const root = path.dirname(require.resolve(`${pkg}/package.json`));
  const { version } = require(`${pkg}/package.json`) as { version: string };
  return Object.entries(files).map(([file, type]) => [
    file,
    { version: `${pkg}@${version}`, type, load: () => readFile(path.join(root, file)) },
  ]);
}

const ASSETS: Record<string, Asset> = Object.fromEntries([
  ...Object.entries(DOCS_PACKAGE_FILES).flatMap(([pkg, files]) => packageAssets(pkg, files)),
  [
    'swagger-init.js',
    {
      version: createHash('sha256').update(SWAGGER_INIT).digest('hex').slice(0, 12),
      type: 'text/javascript; charset=utf-8',
      load: () => Promise.resolve(Buffer.from(SWAGGER_INIT)),
    },
  ],
]);

export const ASSET_PREFIX = '/docs/assets/';

/** Relative to /docs and /redoc, so the pages also work behind a gateway that adds a path prefix. */
export const assetUrl = (file: string) => `docs/assets/${ASSETS[file]!.version}/${file}`;

/** GET /docs/assets/<version>/<file>: cached for good, since the version is in the path. */
export async function serveAsset(ctx: Koa.Context, next: Koa.Next): Promise<void> {
  const rest = ctx.path.slice(ASSET_PREFIX.length);
  const slash = rest.indexOf('/');
  const file = rest.slice(slash + 1);
  const asset = Object.hasOwn(ASSETS, file) ? ASSETS[file] : undefined;
  if (!asset || rest.slice(0, slash) !== asset.version) return next();
  ctx.state.route = `${ASSET_PREFIX}{version}/{file}`;
  const gzipped = asset.type !== 'image/png' && ctx.acceptsEncodings('gzip', 'identity') === 'gzip';
  ctx.set({
    'Cache-Control': 'public, max-age=31536000, immutable',
    'X-Content-Type-Options': 'nosniff',
    Vary: 'Accept-Encoding',
  });
  ctx.etag = `${asset.version}/${file}${gzipped ? '+gzip' : ''}`;
  ctx.type = asset.type;
  ctx.status = 200; // `fresh` compares validators only for a successful response
  if (ctx.fresh) {
    ctx.status = 304;
    return;
  }
  if (gzipped) ctx.set('Content-Encoding', 'gzip');
  ctx.body = await content(`${file}${gzipped ? '.gz' : ''}`, asset, gzipped);
}

/** Each asset is read (and compressed) once per process, on first use. */
const cache = new Map<string, Promise<Buffer>>();

function content(key: string, asset: Asset, gzipped: boolean): Promise<Buffer> {
  let body = cache.get(key);
  if (!body) {
    body = asset.load().then((raw) => (gzipped ? gzip(raw, { level: 9 }) : raw));
    body.catch(() => cache.delete(key));
    cache.set(key, body);
  }
  return body;
}
