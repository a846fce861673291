import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The page of the browser test: what an application at the relying party's origin does with the
 * service's passkey endpoints, through the browser's own WebAuthn API (JSON in and out, as
 * WebAuthn Level 3 defines it).
 */
const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Passkeys</title></head>
<body>
<script>
  async function call(method, path, body, token) {
    const headers = { 'content-type': 'application/json' };
    if (token) headers.authorization = 'Bearer ' + token;
    const res = await fetch('/api' + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }
  window.registerPasskey = async (token, password, name) => {
    const started = await call('POST', '/passkeys/registration/options', { password }, token);
    if (started.status !== 200) return started;
    const publicKey = PublicKeyCredential.parseCreationOptionsFromJSON(started.body.options);
    const credential = await navigator.credentials.create({ publicKey });
    return call('POST', '/passkeys/registration', {
      challenge_id: started.body.challenge_id,
      response: credential.toJSON(),
      name,
    }, token);
  };
  window.loginWithPasskey = async () => {
    const started = await call('POST', '/login/passkey/options');
    if (started.status !== 200) return started;
    const publicKey = PublicKeyCredential.parseRequestOptionsFromJSON(started.body.options);
    const credential = await navigator.credentials.get({ publicKey });
    return call('POST', '/login/passkey', {
      challenge_id: started.body.challenge_id,
      response: credential.toJSON(),
    });
  };
</script>
</body>
</html>`;

/** What the page's script defines on its window, for page.evaluate(). */
export interface PasskeyPage {
  registerPasskey(token: string, password: string, name: string): Promise<PageAnswer>;
  loginWithPasskey(): Promise<PageAnswer>;
}

/** A service's answer as the page's fetch() saw it. */
export interface PageAnswer {
  status: number;
  body: any;
}

export interface PasskeyPageServer {
  /** http://localhost:<port>: a secure context, and the origin the stack is configured with. */
  origin: string;
  /** Where /api/... goes from now on (the auth service, as the gateway routes it). */
  proxyTo(authUrl: string): void;
  close(): Promise<void>;
}

/**
 * Serves the page at `/` and passes `/api/<path>` to the auth service's `/<path>`, so the page's
 * calls are same-origin, as through the gateway. Listens before the stack starts: the stack's
 * WEBAUTHN_ORIGINS needs its port.
 */
export async function servePasskeyPage(): Promise<PasskeyPageServer> {
  let target: string | undefined;
  const server = createServer((req, res) => {
    void handle(req, res, target).catch((err: unknown) => {
      res.writeHead(502, { 'content-type': 'text/plain' }).end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://localhost:${port}`,
    proxyTo: (url) => {
      target = url;
    },
    close: () =>
      new Promise((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, target: string | undefined) {
  if (req.method === 'GET' && req.url === '/') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
    return;
  }
  if (!req.url?.startsWith('/api/') || !target) {
    res.writeHead(404).end();
    return;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers: Record<string, string> = {};
  for (const name of ['authorization', 'content-type']) {
    const value = req.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  const upstream = await fetch(target + req.url.slice('/api'.length), {
    method: req.method,
    headers,
    ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
  });
  res.writeHead(upstream.status, {
    'content-type': upstream.headers.get('content-type') ?? 'application/octet-stream',
  });
  res.end(Buffer.from(await upstream.arrayBuffer()));
}
