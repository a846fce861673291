import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../../test/support/stack.js';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const services = [
  ['auth', () => stack.authApi.baseUrl],
  ['user', () => stack.userApi.baseUrl],
] as const;

/** Every URL a page loads: script sources, stylesheets and icons. */
function references(html: string): string[] {
  return [...html.matchAll(/<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
}

const expectedType = (url: string) =>
  url.endsWith('.js')
    ? /^text\/javascript; charset=utf-8$/
    : url.endsWith('.css')
      ? /^text\/css; charset=utf-8$/
      : /^image\/png$/;

describe.each(services)('the %s service’s API docs', (_name, baseUrl) => {
  describe.each([
    ['/docs', 'swagger-ui-bundle.js'],
    ['/redoc', 'redoc.standalone.js'],
  ])('GET %s', (pagePath, bundle) => {
    it('When it is fetched, then it is HTML that loads only this service’s own assets', async () => {
      const res = await fetch(baseUrl() + pagePath);
      const html = await res.text();
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      const refs = references(html);
      expect(refs.some((ref) => ref.endsWith(bundle))).toBe(true);
      expect(refs.filter((ref) => /^(https?:)?\/\//i.test(ref))).toEqual([]);
      expect(html).not.toMatch(/(src|href)="(https?:)?\/\//i);
      expect(html).not.toMatch(/<script>/); // no inline script: the CSP forbids it
    });

    it('When every asset it references is fetched, then each is there with its content type', async () => {
      const page = new URL(pagePath, baseUrl());
      const refs = references(await (await fetch(page)).text());
      expect(refs.length).toBeGreaterThanOrEqual(2);
      for (const ref of refs) {
        const url = new URL(ref, page);
        expect(url.origin).toBe(page.origin);
        const res = await fetch(url);
        const body = Buffer.from(await res.arrayBuffer());
        expect({ ref, status: res.status }).toEqual({ ref, status: 200 });
        expect(res.headers.get('content-type')).toMatch(expectedType(ref));
        expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
        expect(body.length).toBeGreaterThan(/bundle|standalone/.test(ref) ? 500_000 : 100);
      }
    });

    it('When the browser runs it, then its policy lets it reach only this service and the contract’s servers', async () => {
      const csp = (await fetch(baseUrl() + pagePath)).headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self';");
      expect(csp).toMatch(/img-src 'self' data:;/);
      const connect = /connect-src ([^;]+)/.exec(csp)?.[1]?.split(' ') ?? [];
      expect(connect[0]).toBe("'self'");
      for (const origin of connect.slice(1)) expect(origin).toMatch(/^http:\/\/localhost:\d+$/);
    });
  });

  it('When Swagger UI starts, then it reads the service’s own /openapi.json', async () => {
    const page = new URL('/docs', baseUrl());
    const init = references(await (await fetch(page)).text()).find((r) =>
      r.endsWith('swagger-init.js'),
    )!;
    const script = await (await fetch(new URL(init, page))).text();
    const specUrl = new URL(/url: '([^']+)'/.exec(script)![1]!, page);
    expect(specUrl.pathname).toBe('/openapi.json');
    const spec = await fetch(specUrl);
    expect(spec.status).toBe(200);
    expect(((await spec.json()) as { openapi: string }).openapi).toMatch(/^3\./);
  });

  it('When ReDoc starts, then it reads the service’s own /openapi.json', async () => {
    const page = new URL('/redoc', baseUrl());
    const specUrl = /<redoc spec-url="([^"]+)">/.exec(await (await fetch(page)).text())![1]!;
    expect(new URL(specUrl, page).pathname).toBe('/openapi.json');
  });

  it('When a client accepts gzip or already holds an asset, then it gets it compressed or a 304', async () => {
    const page = new URL('/docs', baseUrl());
    const bundle = references(await (await fetch(page)).text()).find((r) =>
      r.endsWith('swagger-ui-bundle.js'),
    )!;
    const url = new URL(bundle, page);
    const first = await fetch(url, { headers: { 'accept-encoding': 'gzip' } });
    await first.arrayBuffer();
    expect(first.headers.get('content-encoding')).toBe('gzip');
    expect(first.headers.get('vary')).toMatch(/accept-encoding/i);
    const again = await fetch(url, {
      headers: {
        'accept-encoding': 'gzip',
        'if-none-match': first.headers.get('etag')!,
        // What a browser sends on revalidation; without it fetch adds `no-cache`, which forbids a 304.
        'cache-control': 'max-age=0',
      },
    });
    expect(again.status).toBe(304);
  });

  it('When an asset is asked for that is not served, then it gets 404', async () => {
    for (const path of [
      '/docs/assets/swagger-ui-dist@0.0.0/swagger-ui-bundle.js',
      '/docs/assets/x/package.json',
      '/docs/assets/redoc@2.5.4/..%2F..%2Fpackage.json',
    ]) {
      const res = await fetch(baseUrl() + path);
      await res.arrayBuffer();
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
    }
  });

  it('When /docs/ is asked for with a slash, then it is sent to /docs', async () => {
    const res = await fetch(`${baseUrl()}/docs/`, { redirect: 'manual' });
    expect(res.status).toBe(301);
    expect(new URL(res.headers.get('location')!, `${baseUrl()}/docs/`).pathname).toBe('/docs');
  });
});
