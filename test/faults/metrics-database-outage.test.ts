import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newRegistration } from '../support/factories.js';
import { client } from '../support/http-client.js';
import { metricValue, scrape } from '../support/metrics.js';
import { startFaultStack, waitFor, type FaultStack } from './fault-stack.js';
import { TcpProxy } from './tcp-proxy.js';

let stack: FaultStack;
let proxy: TcpProxy;

beforeAll(async () => {
  stack = await startFaultStack({
    env: { DATABASE_TIMEOUT_MS: '1500' },
    // The auth service reaches Postgres only through a proxy this test can break.
    authDatabaseUrl: async (url) => {
      const proxied = await TcpProxy.before(url);
      proxy = proxied.proxy;
      return proxied.url;
    },
  });
});
afterAll(async () => {
  await stack?.stop();
  await proxy?.close();
});

const DATABASE_GAUGES = [
  'auth_outbox_pending_events',
  'auth_outbox_oldest_pending_age_seconds',
  'auth_blacklist_size',
];

/** Scrapes the auth service and measures how long the answer took. */
async function timedScrape() {
  const started = Date.now();
  const text = await scrape(stack.auth!.url);
  return { text, ms: Date.now() - started };
}

describe('scraping the auth service while its database is unreachable', () => {
  it('When the network swallows the database packets, then /metrics still answers in time without the database gauges', async () => {
    const api = client(stack.auth!.url);
    expect((await api.post('/register', newRegistration())).status).toBe(201);
    const healthy = await timedScrape();
    for (const name of DATABASE_GAUGES) expect(metricValue(healthy.text, name)).toBeDefined();

    proxy.blackhole();
    for (let i = 0; i < 3; i++) {
      // Every scrape, not only the first, answers within the read timeout (2 s) and a margin.
      const { text, ms } = await timedScrape();
      expect(ms).toBeLessThan(4_000);
      for (const name of DATABASE_GAUGES) expect(metricValue(text, name)).toBeUndefined();
      expect(metricValue(text, 'auth_registrations_total', { result: 'created' })).toBe(1);
      expect(metricValue(text, 'process_cpu_user_seconds_total')).toBeDefined();
    }
    expect(stack.auth!.output()).toMatch(/reading gauges failed/);

    proxy.restore();
    await waitFor(
      'the database gauges to return',
      async () => {
        const { text } = await timedScrape();
        return DATABASE_GAUGES.every((name) => metricValue(text, name) !== undefined);
      },
      30_000,
    );
  });
});
