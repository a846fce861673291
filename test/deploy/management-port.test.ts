import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client } from '../support/http-client.js';
import { freePorts, startServiceProcess, type ServiceProcess } from '../support/processes.js';
import { TEST_ENV } from '../support/stack.js';

// With MANAGEMENT_PORT (as the chart sets it), /metrics leaves the public port: Prometheus and the
// probes use a port of their own, which the NetworkPolicy opens to the monitoring namespace alone,
// and nothing that reaches the API can read the metrics. Each service runs as its container does.

interface Running {
  name: 'auth' | 'user';
  process: ServiceProcess;
  management: string;
  /** A metric only this service exports. */
  metric: string;
}

const dataDir = mkdtempSync(path.join(tmpdir(), 'management-port-'));
const running: Running[] = [];

beforeAll(async () => {
  const [authPort, authManagement, userPort, userManagement] = await freePorts(4);
  const env = { ...TEST_ENV, DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
  const auth = await startServiceProcess('auth', authPort!, {
    ...env,
    MANAGEMENT_PORT: String(authManagement),
  });
  running.push({
    name: 'auth',
    process: auth,
    management: `http://127.0.0.1:${authManagement}`,
    metric: 'auth_logins_total',
  });
  const user = await startServiceProcess('user', userPort!, {
    ...env,
    MANAGEMENT_PORT: String(userManagement),
    AUTH_JWKS_URL: `${auth.url}/.well-known/jwks.json`,
  });
  running.push({
    name: 'user',
    process: user,
    management: `http://127.0.0.1:${userManagement}`,
    metric: 'user_events_consumed_total',
  });
}, 60_000);
afterAll(async () => {
  for (const service of running) await service.process.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the management port', () => {
  it('When MANAGEMENT_PORT is set, then /metrics is served there and is a 404 on the public port', async () => {
    expect(running).toHaveLength(2);
    for (const service of running) {
      const metrics = await fetch(`${service.management}/metrics`);
      expect(metrics.status, service.name).toBe(200);
      expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
      const text = await metrics.text();
      expect(text).toContain(`# TYPE ${service.metric} counter`);
      expect(text).toContain('http_request_duration_seconds');
      const publicMetrics = await client(service.process.url).get('/metrics');
      expect(publicMetrics.status, service.name).toBe(404);
      expect(publicMetrics.contentType).toMatch(/^application\/problem\+json/);
    }
  });

  it('When the probes ask the management port, then /healthz and /readyz answer there, and still on the public port', async () => {
    for (const service of running) {
      for (const base of [service.management, service.process.url]) {
        for (const probe of ['/healthz', '/readyz']) {
          const res = await client(base).get(probe);
          expect(res.status, `${service.name} ${base}${probe}`).toBe(200);
          expect(res.body).toEqual({ status: 'ok' });
        }
      }
    }
  });

  it('When anything else is asked of the management port, then it is a 404 or 405 problem, never the API', async () => {
    for (const service of running) {
      const api = client(service.management);
      for (const path of ['/openapi.json', '/docs', '/profile', '/.well-known/jwks.json']) {
        const res = await api.get(path);
        expect(res.status, `${service.name} ${path}`).toBe(404);
        expect(res.contentType).toMatch(/^application\/problem\+json/);
      }
      expect((await api.post('/metrics', {})).status).toBe(405);
    }
  });
});
