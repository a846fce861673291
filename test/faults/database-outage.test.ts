import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContractChecker } from '../support/contract.js';
import { newRegistration } from '../support/factories.js';
import { client, type Client } from '../support/http-client.js';
import { startFaultStack, waitFor, type FaultStack } from './fault-stack.js';
import { TcpProxy } from './tcp-proxy.js';

const contract = new ContractChecker('auth.yaml');
let stack: FaultStack;
let proxy: TcpProxy;
let api: Client;

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
  api = client(stack.auth!.url);
});
afterAll(async () => {
  await stack?.stop();
  await proxy?.close();
});

/** Registers and measures how long the answer took. */
async function timedRegister() {
  const started = Date.now();
  const res = await api.post('/register', newRegistration());
  contract.check('register', res);
  return { res, ms: Date.now() - started };
}

async function expectUnavailableWithin(limitMs: number) {
  const { res, ms } = await timedRegister();
  expect(res.status).toBe(503);
  expect(res.contentType).toMatch(/^application\/problem\+json/);
  expect(res.body.type).toBe('urn:problem:service-unavailable');
  expect(ms).toBeLessThan(limitMs);
  const ready = await api.get('/readyz');
  expect(ready.status).toBe(503);
}

async function expectRecovery(): Promise<number> {
  return waitFor(
    'the service to recover',
    async () => (await timedRegister()).res.status === 201,
    30_000,
  );
}

describe('the database becomes unreachable', () => {
  it('When connections are refused, then requests get 503 quickly and the service recovers by itself', async () => {
    expect((await timedRegister()).res.status).toBe(201);
    proxy.refuse();
    await expectUnavailableWithin(7_000);
    proxy.restore();
    const recoveryMs = await expectRecovery();
    expect((await api.get('/readyz')).status).toBe(200);
    console.info(`database refused: recovered ${recoveryMs} ms after the database returned`);
  });

  it('When the network swallows packets, then requests get 503 within the timeout and nothing hangs', async () => {
    proxy.blackhole();
    await expectUnavailableWithin(5_000);
    proxy.restore();
    const recoveryMs = await expectRecovery();
    console.info(`database partition: recovered ${recoveryMs} ms after the network returned`);
  });
});
