// A small JSON client on keep-alive connections, for seeding and the propagation probes (the load
// itself comes from autocannon). `at` is when the response had been read completely.
import http from 'node:http';

const sharedAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/**
 * @param {string} url
 * @param {{ method?: string, body?: unknown, token?: string, timeoutMs?: number, agent?: http.Agent }} [opts]
 * @returns {Promise<{ status: number, body: any, at: number }>}
 */
export function request(
  url,
  { method = 'GET', body, token, timeoutMs = 10_000, agent = sharedAgent } = {},
) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers = {};
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(payload.length);
    }
    if (token) headers.authorization = `Bearer ${token}`;
    const req = http.request(url, { method, headers, agent }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const at = performance.now();
        const text = Buffer.concat(chunks).toString();
        let json;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = text;
        }
        resolve({ status: res.statusCode ?? 0, body: json, at });
      });
    });
    req.setTimeout(timeoutMs, () =>
      req.destroy(new Error(`${method} ${url} got no answer in ${timeoutMs} ms`)),
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Throws unless the response has the expected status; the message carries the body. */
export function expectStatus(res, expected, what) {
  if (res.status !== expected) {
    const body = typeof res.body === 'string' ? res.body : JSON.stringify(res.body);
    throw new Error(`${what}: expected ${expected}, got ${res.status}: ${body?.slice(0, 300)}`);
  }
  return res.body;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns true; throws `message()` after `timeoutMs`. */
export async function waitFor(check, timeoutMs, message, intervalMs = 100) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(message());
    await sleep(intervalMs);
  }
}
