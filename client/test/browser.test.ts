import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newRegistration } from '../../test/support/factories.js';
import { startStack, type Stack } from '../../test/support/stack.js';

// The client in a real browser (Debian's Chromium): its ES modules as built (client/dist), loaded by
// a page whose only help is an import map for openapi-fetch, calling both real services through
// one same-origin prefix as the gateway serves them.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available) {
  const message = `${CHROMIUM} is missing: the client's browser test cannot run (bash scripts/ensure-chromium.sh installs it)`;
  if (process.env.CI) throw new Error(`${message}; CI is set, so this fails instead of skipping.`);
  console.warn(
    `\n${'!'.repeat(message.length + 4)}\n! ${message} !\n${'!'.repeat(message.length + 4)}\n`,
  );
}

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8"><title>Client</title>
<script type="importmap">{ "imports": { "openapi-fetch": "/modules/openapi-fetch/index.mjs" } }</script>
</head>
<body>
<script type="module">
  import { createPlatformClient, ProblemError, unwrap } from '/modules/client/index.js';
  window.runClient = async (body) => {
    const sent = [];
    const client = createPlatformClient({
      baseUrl: location.origin + '/api',
      fetch: async (request) => {
        const response = await fetch(request);
        sent.push(request.method + ' ' + new URL(request.url).pathname + ' ' + response.status);
        return response;
      },
    });
    const registered = unwrap(await client.auth.POST('/register', { body }));
    // The user service hears of the account through the event: poll until the profile is there.
    let profile;
    for (let i = 0; i < 100 && !profile; i++) {
      const { data } = await client.user.GET('/profile');
      if (data) profile = data;
      else await new Promise((r) => setTimeout(r, 50));
    }
    const pair = await client.tokens.get();
    await client.tokens.set({ ...pair, accessToken: pair.accessToken.slice(0, -4) + 'AAAA' });
    sent.length = 0;
    const again = await Promise.all(Array.from({ length: 5 }, () => client.user.GET('/profile')));
    const refreshes = sent.filter((s) => s.includes('/refresh')).length;
    let problem;
    try {
      await client.login({ login: body.login, password: 'WrongPass123!' });
    } catch (error) {
      problem = error instanceof ProblemError ? { status: error.status, code: error.code } : 'other';
    }
    return {
      login: registered.user ? registered.user.login : null,
      displayName: profile && profile.display_name,
      again: again.map((r) => r.response.status),
      refreshes,
      problem,
    };
  };
  window.clientReady = true;
</script>
</body>
</html>`;

/** What the page's module defines on its window, for page.evaluate(). */
interface ClientPage {
  runClient(body: ReturnType<typeof newRegistration>): Promise<unknown>;
}

const MODULES: Record<string, string> = {
  '/modules/openapi-fetch/index.mjs': path.join(ROOT, 'node_modules/openapi-fetch/dist/index.mjs'),
};

let stack: Stack;
let server: Server;
let origin: string;
let browser: Browser;
let tab: Page;

beforeAll(async () => {
  if (!available) return;
  // The modules the browser loads are the package's build, made here so the test needs no step first.
  execFileSync(
    process.execPath,
    [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-b', 'client'],
    {
      cwd: ROOT,
    },
  );
  stack = await startStack();
  server = createServer((req, res) => {
    void serve(req, res).catch((err: unknown) => res.writeHead(502).end(String(err)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://localhost:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-background-networking',
      '--host-resolver-rules=MAP localhost 127.0.0.1',
    ],
  });
  tab = await browser.newPage();
  await tab.goto(`${origin}/`);
  await tab.waitForFunction(() => (globalThis as { clientReady?: boolean }).clientReady === true);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  await stack?.stop();
});

describe.runIf(available)('the client in a browser', () => {
  it('When a page imports the built client, then it registers, reads the profile, refreshes once for many expired requests, and gets problems as ProblemError', async () => {
    const registration = newRegistration();
    await stack.settle();
    const outcome = await tab.evaluate(
      (body) => (globalThis as unknown as ClientPage).runClient(body),
      registration,
    );
    expect(outcome).toEqual({
      login: registration.login,
      displayName: registration.display_name,
      again: [200, 200, 200, 200, 200],
      refreshes: 1,
      problem: { status: 401, code: 'invalid-credentials' },
    });
  });
});

/** The page, the client's modules and openapi-fetch's, and /api/<path> passed to the services. */
async function serve(req: IncomingMessage, res: ServerResponse) {
  const url = req.url ?? '/';
  if (req.method === 'GET' && url === '/') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
    return;
  }
  const module =
    MODULES[url] ??
    (url.startsWith('/modules/client/') && !url.includes('..')
      ? path.join(ROOT, 'client/dist', url.slice('/modules/client/'.length))
      : undefined);
  if (module) {
    if (!existsSync(module)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(module));
    return;
  }
  if (!url.startsWith('/api/')) return void res.writeHead(404).end();
  const rest = url.slice('/api'.length);
  const target = /^\/(profile|edit-bio)\b/.test(rest)
    ? stack.userApi.baseUrl
    : stack.authApi.baseUrl;
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers: Record<string, string> = {};
  for (const name of ['authorization', 'content-type']) {
    const value = req.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  const upstream = await fetch(target + rest, {
    method: req.method,
    headers,
    ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
  });
  const out: Record<string, string> = {
    'content-type': upstream.headers.get('content-type') ?? 'application/octet-stream',
  };
  const retryAfter = upstream.headers.get('retry-after');
  if (retryAfter) out['retry-after'] = retryAfter;
  res.writeHead(upstream.status, out).end(Buffer.from(await upstream.arrayBuffer()));
}
