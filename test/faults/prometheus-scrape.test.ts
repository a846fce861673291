import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newRegistration } from '../support/factories.js';
import { client } from '../support/http-client.js';
import { requireBinary } from '../support/metrics.js';
import { freePort } from '../support/processes.js';
import { startFaultStack, waitFor, type FaultStack } from './fault-stack.js';

/** A real Prometheus (Debian's binary) with its own configuration and storage in a temporary folder. */
interface PrometheusServer {
  url: string;
  output(): string;
  stop(): Promise<void>;
}

async function startPrometheus(targets: Record<string, string>): Promise<PrometheusServer> {
  const dir = await mkdtemp(path.join(tmpdir(), 'prometheus-test-'));
  const jobs = Object.entries(targets).map(
    ([job, url]) =>
      `  - job_name: ${job}\n    metrics_path: /metrics\n    static_configs:\n      - targets: ['${new URL(url).host}']\n`,
  );
  const config = path.join(dir, 'prometheus.yml');
  await writeFile(
    config,
    `global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n${jobs.join('')}`,
  );
  const port = await freePort();
  let log = '';
  const child: ChildProcess = spawn(
    'prometheus',
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const keep = (chunk: Buffer) => (log = (log + chunk.toString()).slice(-8000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const server: PrometheusServer = {
    url: `http://127.0.0.1:${port}`,
    output: () => log,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(killer);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    await waitFor(
      'Prometheus to be ready',
      async () => {
        if (child.exitCode !== null) throw new Error(`prometheus exited:\n${log}`);
        return fetch(`${server.url}/-/ready`).then(
          (res) => res.ok,
          () => false,
        );
      },
      30_000,
    );
  } catch (err) {
    await server.stop();
    throw err;
  }
  return server;
}

interface Target {
  labels: { job: string };
  health: string;
  lastError: string;
}

/** The value of a PromQL expression whose result is one sample; undefined while it has none. */
async function query(prometheus: PrometheusServer, expr: string): Promise<number | undefined> {
  const res = await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await res.json()) as {
    status: string;
    data: { result: { value: [number, string] }[] };
  };
  if (body.status !== 'success') throw new Error(`query ${expr} failed: ${JSON.stringify(body)}`);
  const [sample] = body.data.result;
  return sample ? Number(sample.value[1]) : undefined;
}

describe.runIf(requireBinary('prometheus'))('a real Prometheus scraping both services', () => {
  let stack: FaultStack;
  let prometheus: PrometheusServer;

  beforeAll(async () => {
    stack = await startFaultStack();
    prometheus = await startPrometheus({ auth: stack.auth!.url, user: stack.user.url });
  });
  afterAll(async () => {
    await prometheus?.stop();
    await stack?.stop();
  });

  it('When Prometheus scrapes every second and users log in, then both targets are up and auth_logins_total rises', async () => {
    let targets: Target[] = [];
    await waitFor(
      'both targets to be up',
      async () => {
        const res = await fetch(`${prometheus.url}/api/v1/targets?state=active`);
        targets = ((await res.json()) as { data: { activeTargets: Target[] } }).data.activeTargets;
        return targets.length === 2 && targets.every((t) => t.health === 'up');
      },
      30_000,
    ).catch((err: Error) => {
      throw new Error(
        `${err.message}: ${JSON.stringify(targets)}\nprometheus output:\n${prometheus.output()}`,
      );
    });
    expect(targets.map((t) => t.labels.job).sort()).toEqual(['auth', 'user']);

    // Scraped before any login: the counters exist from the start at 0.
    let baseline: number | undefined;
    await waitFor('a first sample of auth_logins_total', async () => {
      baseline = await query(prometheus, 'sum(auth_logins_total)');
      return baseline !== undefined;
    });
    expect(baseline).toBe(0);

    const api = client(stack.auth!.url);
    const user = newRegistration();
    expect((await api.post('/register', user)).status).toBe(201);
    for (let i = 0; i < 3; i++) {
      const res = await api.post('/login', { login: user.login, password: user.password });
      expect(res.status).toBe(200);
    }
    const wrong = await api.post('/login', { login: user.login, password: 'WrongPass123!' });
    expect(wrong.status).toBe(401);

    await waitFor('Prometheus to see the four logins', async () => {
      const total = await query(prometheus, 'sum(auth_logins_total)');
      return total !== undefined && total >= baseline! + 4;
    });
    expect(await query(prometheus, 'sum(auth_logins_total{result="success",reason="ok"})')).toBe(3);
    expect(
      await query(prometheus, 'sum(auth_logins_total{result="failure",reason="wrong_password"})'),
    ).toBe(1);
    // The user service's target carries its own metrics: the Register event was consumed.
    await waitFor('the user service to count the Register event', async () => {
      const consumed = await query(
        prometheus,
        'sum(user_events_consumed_total{job="user",type="Register",outcome="applied"})',
      );
      return consumed === 1;
    });
    expect(await query(prometheus, 'count(auth_logins_total{job="user"})')).toBeUndefined();
  });
});
