import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newRegistration } from '../support/factories.js';
import { startFaultStack, type FaultStack } from './fault-stack.js';

let stack: FaultStack;

beforeAll(async () => {
  stack = await startFaultStack({ env: { SHUTDOWN_GRACE_MS: '8000', SHUTDOWN_DELAY_MS: '1000' } });
});
afterAll(async () => {
  await stack?.stop();
});

type Outcome = { kind: 'status'; status: number } | { kind: 'error'; code: string };

async function attempt(url: string): Promise<Outcome> {
  try {
    const res = await fetch(`${url}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(newRegistration()),
    });
    await res.arrayBuffer();
    return { kind: 'status', status: res.status };
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause;
    return { kind: 'error', code: cause?.code ?? String(err) };
  }
}

describe('SIGTERM under load', () => {
  it('When the auth service gets SIGTERM during load, then no request fails and it exits 0 within the grace period', async () => {
    const url = stack.auth!.url;
    const outcomes: Outcome[] = [];
    // The load balancer: it sends traffic while /readyz says ready, as Kubernetes endpoints do.
    let ready = true;
    const watcher = (async () => {
      while (ready) {
        const ok = await fetch(`${url}/readyz`).then(
          (r) => r.ok,
          () => false,
        );
        ready = ready && ok;
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const workers = Array.from({ length: 10 }, async () => {
      while (ready) outcomes.push(await attempt(url));
    });
    await new Promise((r) => setTimeout(r, 1000));
    const signalled = Date.now();
    const exit = await stack.auth!.kill('SIGTERM');
    const exitMs = Date.now() - signalled;
    await Promise.all([watcher, ...workers]);

    expect(exit).toBe(0);
    expect(exitMs).toBeLessThan(8000);
    expect(outcomes.filter((o) => o.kind === 'error')).toEqual([]);
    expect(outcomes.filter((o) => o.kind === 'status' && o.status !== 201)).toEqual([]);
    expect(outcomes.length).toBeGreaterThan(10);
    console.info(
      `SIGTERM under load: ${outcomes.length} requests, all 201, exit 0 in ${exitMs} ms`,
    );
  });
});
