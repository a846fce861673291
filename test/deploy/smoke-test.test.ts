import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CHART } from './helm.js';

const SCRIPT = `${CHART}/files/smoke-test.mjs`;

/** Runs the chart's smoke test against a gateway that answers with `handle`; its exit code and output. */
async function runAgainst(
  handle: (method: string, path: string, res: ServerResponse, req: IncomingMessage) => void,
  env: Record<string, string> = {},
) {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => handle(req.method!, req.url!, res, req));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    return await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn(process.execPath, [SCRIPT], {
        env: { ...process.env, GATEWAY_URL: `http://127.0.0.1:${port}/api`, ...env },
      });
      let output = '';
      child.stdout.on('data', (d) => (output += d));
      child.stderr.on('data', (d) => (output += d));
      child.on('close', (code) => resolve({ code, output }));
    });
  } finally {
    server.close();
  }
}

const json = (res: ServerResponse, status: number, body?: unknown) => {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(body === undefined ? undefined : JSON.stringify(body));
};

/** A platform that works once `ready` calls have been refused with 503 (and 404 for the profile). */
function platform(notReadyFor: number) {
  let calls = 0;
  return (method: string, path: string, res: ServerResponse) => {
    calls++;
    if (calls <= notReadyFor) return json(res, path === '/api/profile' ? 404 : 503, {});
    if (path === '/api/register') return json(res, 201, { user: {} });
    if (path === '/api/login')
      return json(res, 200, { token_pair: { access_token: { token: 't' } } });
    if (path === '/api/profile') return json(res, 200, { display_name: 'Smoke Test' });
    if (path === '/api/account-delete') return json(res, 200, { is_active: false });
    return json(res, 404, {});
  };
}

describe("The chart's helm test script", () => {
  it('When the platform is still starting (503s, no profile yet), then it retries until it works', async () => {
    const { code, output } = await runAgainst(platform(4), {
      SMOKE_TEST_RETRY_MS: '50',
      SMOKE_TEST_DEADLINE_SECONDS: '20',
    });
    expect(output).toContain('smoke test passed');
    expect(code).toBe(0);
  });

  it('When a step keeps failing, then it gives up at its deadline and names the step', async () => {
    const started = Date.now();
    const { code, output } = await runAgainst((_m, _p, res) => json(res, 503, {}), {
      SMOKE_TEST_RETRY_MS: '50',
      SMOKE_TEST_DEADLINE_SECONDS: '2',
    });
    expect(code).toBe(1);
    expect(output).toContain('POST /register: expected 201, got 503');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('When an answer is wrong rather than not yet ready, then it fails at once', async () => {
    const { code, output } = await runAgainst(
      (_m, path, res) => (path === '/api/register' ? json(res, 422, {}) : json(res, 503, {})),
      { SMOKE_TEST_RETRY_MS: '50', SMOKE_TEST_DEADLINE_SECONDS: '30' },
    );
    expect(code).toBe(1);
    expect(output).toContain('POST /register: expected 201, got 422');
  });
});

describe("The chart's wait for the database and its schema (init containers)", () => {
  const WAIT = readFileSync(`${CHART}/files/wait-for-database.mjs`, 'utf8');
  const tmp = mkdtempSync(path.join(tmpdir(), 'wait-test-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  /**
   * A data source whose database is down for the first two tries, then has no migrations table,
   * then one of two migrations, then both.
   */
  const fake = path.join(tmp, 'fake-data-source.mjs');
  writeFileSync(
    fake,
    `let tries = 0;
    export function fakeDataSource(url, opts) {
      const attempt = ++tries;
      return {
        isInitialized: false,
        options: {},
        migrations: [{ name: 'First1' }, { name: 'Second2' }],
        async initialize() {
          if (url !== 'postgres://db/x' || opts.poolSize !== 1) throw new Error('bad arguments');
          if (attempt <= 2) throw new Error('ECONNREFUSED');
          this.isInitialized = true;
        },
        async destroy() { this.isInitialized = false; },
        createQueryRunner: () => ({
          hasTable: async () => attempt > 3,
          query: async () => (attempt > 4 ? [{ name: 'First1' }, { name: 'Second2' }] : [{ name: 'First1' }]),
          release: async () => {},
        }),
      };
    }`,
  );
  const run = (mode: string) =>
    spawnSync(
      process.execPath,
      ['--input-type=module', '-e', WAIT, mode, fake, 'fakeDataSource', '20'],
      {
        env: { ...process.env, DATABASE_URL: 'postgres://db/x' },
        encoding: 'utf8',
        timeout: 10_000,
      },
    );

  it('When the database is down, then the schema wait retries until every migration is applied', () => {
    const { status, stdout } = run('schema');
    expect(stdout.trim().split('\n')).toEqual([
      'waiting for the database (ECONNREFUSED)',
      'waiting for the migrations First1, Second2',
      'waiting for the migrations Second2',
      'the schema is up to date',
    ]);
    expect(status).toBe(0);
  });

  it('When only the database is waited for, then it is done as soon as the database answers', () => {
    const { status, stdout } = run('database');
    expect(stdout.trim().split('\n')).toEqual([
      'waiting for the database (ECONNREFUSED)',
      'the database answers',
    ]);
    expect(status).toBe(0);
  });
});
