import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePrivateJwk } from '../../services/auth/src/sessions/signing-keys.js';
import { DOCS_PACKAGE_FILES } from '../../services/common/src/http/docs-assets.js';
import { newRegistration } from '../support/factories.js';
import { client } from '../support/http-client.js';
import { AMQP_URL, createDatabase, deleteQueues, uniqueName } from '../support/infra.js';
import { tokenOf } from '../support/mailbox.js';
import { freePorts } from '../support/processes.js';
import { startSmtpServer, type SmtpTestServer } from '../support/smtp.js';
import { pollUntil } from '../support/stack.js';
import {
  imageOf,
  missingForImages,
  podman,
  runtimeArgs,
  type ImageService,
  type PodmanResult,
} from './podman.js';

// The built images (scripts/images/build.sh), run as a cluster would run them: production mode, a
// read-only root file system, the image's user, against this machine's Postgres and RabbitMQ
// (databases and a queue of this run's own) and an SMTP server of the test's. The containers share
// the host's network, so each gets free ports through PORT and MANAGEMENT_PORT; the image's own
// defaults are checked from its configuration.

const missing = missingForImages();
if (missing !== undefined) {
  if (process.env.CI) {
    throw new Error(`The container image tests cannot run: ${missing}. CI is set, so this fails.`);
  }
  const lines = [
    'WARNING: THE CONTAINER IMAGE TESTS WERE SKIPPED.',
    `Reason: ${missing}.`,
    'Build the images with scripts/images/ensure-podman.sh, build-base.sh and build.sh.',
  ];
  const width = Math.max(...lines.map((l) => l.length));
  const rule = '!'.repeat(width + 4);
  console.warn(['', rule, ...lines.map((l) => `! ${l.padEnd(width)} !`), rule, ''].join('\n'));
}

interface Container {
  name: string;
  api: string;
  management: string;
}

const DATABASE_TIMEOUT_MS = 2000;
const run = uniqueName('images');
const containers: Partial<Record<ImageService, Container>> = {};
const migrations: Partial<Record<ImageService, PodmanResult>> = {};
const cleanup: (() => Promise<unknown>)[] = [];
let smtp: SmtpTestServer;
let env: Record<ImageService, Record<string, string>>;
let podmanArgs: string[];

/**
 * GET with the whole body read: a response left unread holds its connection open (a bundle of
 * megabytes is still being written), and the service's shutdown waits for requests in flight.
 */
async function get(url: string): Promise<{ status: number; type: string | null; body: Buffer }> {
  const res = await fetch(url);
  const body = Buffer.from(await res.arrayBuffer());
  return { status: res.status, type: res.headers.get('content-type'), body };
}

/** `-e NAME=value` for each variable. */
const envArgs = (vars: Record<string, string>) =>
  Object.entries(vars).flatMap(([name, value]) => ['-e', `${name}=${value}`]);

/** Options of every container of the test: the host's network, only /tmp writable. */
const containerArgs = () => [
  ...podmanArgs,
  '--network=host',
  '--read-only',
  '--tmpfs=/tmp:rw,size=16m,mode=1777',
  `-v=${smtp.caFile}:/run/smtp-ca.pem:ro`,
];

/** Runs one of the image's commands in a throwaway container with the service's settings. */
const command = (service: ImageService, ...cmd: string[]) =>
  podman([
    'run',
    '--rm',
    '--no-healthcheck',
    ...containerArgs(),
    ...envArgs(env[service]),
    imageOf(service),
    ...cmd,
  ]);

/** The end of a container's output, for failure messages. */
const logsOf = async (name: string) => {
  const logs = await podman(['logs', '--tail=40', name]);
  return `${logs.stdout}${logs.stderr}`.slice(-6000);
};

async function start(service: ImageService, api: number, management: number): Promise<Container> {
  const name = `${run}-${service}`;
  const vars = { ...env[service], PORT: String(api), MANAGEMENT_PORT: String(management) };
  const started = await podman([
    'run',
    '--detach',
    `--name=${name}`,
    ...containerArgs(),
    ...envArgs(vars),
    imageOf(service),
  ]);
  cleanup.push(() => podman(['rm', '--force', '--time=2', name]));
  expect(started.code, started.stderr).toBe(0);
  return { name, api: `http://127.0.0.1:${api}`, management: `http://127.0.0.1:${management}` };
}

async function waitReady(container: Container): Promise<void> {
  let last = 'no answer';
  await pollUntil(
    async () => {
      try {
        const res = await get(`${container.management}/readyz`);
        last = `${res.status} ${res.body.toString()}`;
        return res.status === 200;
      } catch (err) {
        last = (err as Error).message;
        return false;
      }
    },
    async () => `${container.name} not ready in 60 s (${last}):\n${await logsOf(container.name)}`,
    60_000,
    250,
  );
}

/**
 * Registers through the auth container, checks the verification mail, logs in and waits for the
 * profile that the user container makes from the Register event (published over RabbitMQ).
 */
async function signUpAndReadProfile(): Promise<void> {
  const auth = client(containers.auth!.api);
  const user = client(containers.user!.api);
  const registration = newRegistration();
  const registered = await auth.post('/register', registration);
  expect(registered.status, JSON.stringify(registered.body)).toBe(201);

  // The in-process courier delivers over STARTTLS with AUTH to the test's server.
  const mail = await smtp.waitFor((m) => m.to.includes(registration.email), 20_000);
  expect(mail.subject).toBe('Confirm your email address');
  expect(mail.secure).toBe(true);
  expect(mail.user).toBe('courier');
  expect(mail.text).toContain('https://app.example.test/');
  expect(tokenOf(mail)).toMatch(/^[A-Za-z0-9_-]{20,}$/);

  const login = await auth.post('/login', {
    login: registration.login,
    password: registration.password,
  });
  expect(login.status, JSON.stringify(login.body)).toBe(200);
  const token = login.body.token_pair.access_token.token as string;

  let profile = await user.get('/profile', { token });
  await pollUntil(
    async () => (profile = await user.get('/profile', { token })).status === 200,
    async () =>
      `GET /profile answered ${profile.status} ${JSON.stringify(profile.body)}:\n` +
      `auth:\n${await logsOf(containers.auth!.name)}\nuser:\n${await logsOf(containers.user!.name)}`,
    20_000,
    200,
  );
  expect(profile.body).toMatchObject({
    auth_id: registered.body.user.id,
    display_name: registration.display_name,
  });
}

describe.skipIf(missing !== undefined)('the service images, run with podman', () => {
  beforeAll(async () => {
    podmanArgs = runtimeArgs();
    smtp = await startSmtpServer();
    cleanup.push(() => smtp.close());
    const [authDb, userDb] = await Promise.all([
      createDatabase('test_image_auth'),
      createDatabase('test_image_user'),
    ]);
    cleanup.push(() => Promise.all([authDb.drop(), userDb.drop()]));
    const queue = uniqueName('user_info_image');
    cleanup.push(() => deleteQueues(queue));
    const [authApi, authManagement, userApi, userManagement] = (await freePorts(4)) as number[];
    // A short database timeout, so that the test can wait it out (see the SMTP outage).
    const shared = {
      HOST: '127.0.0.1',
      AMQP_URL,
      AMQP_QUEUE: queue,
      OUTBOX_POLL_MS: '200',
      DATABASE_TIMEOUT_MS: String(DATABASE_TIMEOUT_MS),
    };
    env = {
      auth: {
        ...shared,
        DATABASE_URL: authDb.url,
        JWT_PRIVATE_KEYS: JSON.stringify([await generatePrivateJwk(`image-${run}`)]),
        // Production requires the keyring that seals TOTP secrets, as it requires signing keys.
        MFA_ENCRYPTION_KEYS: JSON.stringify({
          current: 'k1',
          keys: { k1: randomBytes(32).toString('base64') },
        }),
        SMTP_URL: smtp.url,
        SMTP_CA_FILE: '/run/smtp-ca.pem',
        MAIL_FROM: 'Auth service <no-reply@example.test>',
        APP_BASE_URL: 'https://app.example.test',
        COURIER_POLL_MS: '200',
      },
      user: {
        ...shared,
        DATABASE_URL: userDb.url,
        AUTH_JWKS_URL: `http://127.0.0.1:${authApi}/.well-known/jwks.json`,
      },
    };
    // In production mode the services migrate nothing on start: the image's commands do it first.
    [migrations.auth, migrations.user] = await Promise.all([
      command('auth', 'node', 'services/auth/dist/cli/migrate.js'),
      command('user', 'node', 'services/user/dist/cli/migrate.js'),
    ]);
    containers.auth = await start('auth', authApi!, authManagement!);
    containers.user = await start('user', userApi!, userManagement!);
    await Promise.all([waitReady(containers.auth), waitReady(containers.user)]);
  }, 180_000);

  afterAll(async () => {
    for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
  }, 60_000);

  it.each(['auth', 'user'] as const)(
    'When the %s image is inspected, then it keeps the Dockerfile settings: user, ports, health check, entry point',
    async (service) => {
      const inspect = await podman(['image', 'inspect', '--format=json', imageOf(service)]);
      expect(inspect.code, inspect.stderr).toBe(0);
      const [image] = JSON.parse(inspect.stdout) as {
        Config: Record<string, any>;
        Healthcheck?: { Test: string[] };
        ManifestType: string;
      }[];
      const config = image!.Config;
      const port = service === 'auth' ? '8000' : '8001';
      expect(config.User).toBe('10001:10001');
      expect(Object.keys(config.ExposedPorts).sort()).toEqual([`${port}/tcp`, '9000/tcp']);
      expect(config.Env).toEqual(expect.arrayContaining([`PORT=${port}`, 'MANAGEMENT_PORT=9000']));
      expect(config.Entrypoint).toEqual(['/usr/bin/tini', '--']);
      expect(config.Cmd).toEqual(['node', 'main.js']);
      // Kept only in the docker format (build.sh's --format docker).
      expect(image!.ManifestType).toBe('application/vnd.docker.distribution.manifest.v2+json');
      expect(image!.Healthcheck?.Test.join(' ')).toContain('/healthz');
    },
  );

  it('When the migrate commands run, then they apply each schema, and find it up to date the second time', async () => {
    expect(migrations.auth!.code, migrations.auth!.stderr).toBe(0);
    expect(migrations.auth!.stdout).toMatch(/^auth: applied InitialSchema\d+/);
    expect(migrations.user!.code, migrations.user!.stderr).toBe(0);
    expect(migrations.user!.stdout).toMatch(/^user: applied /);
    const again = await command('auth', 'node', 'services/auth/dist/cli/migrate.js');
    expect(again.stdout.trim(), again.stderr).toBe('auth: schema is up to date');
  }, 60_000);

  it.each(['auth', 'user'] as const)(
    'When the %s container runs, then as uid 10001 on a read-only root file system',
    async (service) => {
      const { name } = containers[service]!;
      const inspect = await podman([
        'container',
        'inspect',
        '--format={{.HostConfig.ReadonlyRootfs}}',
        name,
      ]);
      expect(inspect.stdout.trim()).toBe('true');
      // PID 1 (tini) and the node process under it.
      const uids = await podman(['exec', name, 'sh', '-c', 'grep ^Uid: /proc/[0-9]*/status']);
      const lines = uids.stdout.trim().split('\n');
      expect(lines.length, uids.stderr).toBeGreaterThanOrEqual(2);
      for (const line of lines) expect(line).toMatch(/:Uid:\s+10001\s+10001\s+10001\s+10001$/);
      const write = await podman([
        'exec',
        name,
        'node',
        '-e',
        "require('fs').writeFileSync('/app/probe', '')",
      ]);
      expect(write.code).not.toBe(0);
      expect(write.stderr).toContain('EROFS');
    },
  );

  it.each(['auth', 'user'] as const)(
    'When the %s container is up, then the API answers on PORT and /metrics on MANAGEMENT_PORT only',
    async (service) => {
      const { api, management } = containers[service]!;
      expect((await get(`${api}/healthz`)).status).toBe(200);
      expect((await get(`${api}/metrics`)).status).toBe(404);
      const metrics = await get(`${management}/metrics`);
      expect(metrics.status).toBe(200);
      const text = metrics.body.toString();
      expect(text).toContain('# TYPE http_request_duration_seconds histogram');
      expect(text).toContain(
        service === 'auth' ? 'auth_logins_total' : 'user_events_consumed_total',
      );
    },
  );

  it.each(['auth', 'user'] as const)(
    "When the %s container's HEALTHCHECK runs, then the container is healthy",
    async (service) => {
      const { name } = containers[service]!;
      const check = await podman(['healthcheck', 'run', name]);
      expect(check.code, `${check.stdout}${check.stderr}\n${await logsOf(name)}`).toBe(0);
      const status = await podman([
        'container',
        'inspect',
        '--format={{.State.Health.Status}}',
        name,
      ]);
      expect(status.stdout.trim()).toBe('healthy');
    },
  );

  it('When a user registers, logs in and reads the profile through the two containers, then each step succeeds and the verification mail arrives', async () => {
    await signUpAndReadProfile();
  }, 60_000);

  it('When the cleanup and dead-letter commands run, then they report and exit 0', async () => {
    const cleaned = await command('auth', 'node', 'services/auth/dist/cli/cleanup.js');
    expect(cleaned.code, cleaned.stderr).toBe(0);
    const report = JSON.parse(cleaned.stdout) as { deleted: Record<string, number> };
    expect(Object.keys(report.deleted)).toEqual(
      expect.arrayContaining(['token_blacklist', 'sessions', 'outbox', 'mail_queue']),
    );
    const dlq = await command('user', 'node', 'services/user/dist/cli/dlq.js', 'list');
    expect(dlq.code, dlq.stderr).toBe(0);
  }, 60_000);

  it('When the SMTP server is down for longer than the database timeout, then the courier keeps retrying and the mail arrives once it is back', async () => {
    // The registration wakes the courier, whose retries then run on timers. They must not keep the
    // request's database deadline: past it, every pass would fail before it reached the SMTP server.
    await smtp.stop();
    const registration = newRegistration();
    try {
      const registered = await client(containers.auth!.api).post('/register', registration);
      expect(registered.status, JSON.stringify(registered.body)).toBe(201);
      await new Promise((resolve) => setTimeout(resolve, DATABASE_TIMEOUT_MS + 1000));
    } finally {
      await smtp.start();
    }
    const mail = await smtp
      .waitFor((m) => m.to.includes(registration.email), 30_000)
      .catch(async (err: Error) => {
        throw new Error(`${err.message}:\n${await logsOf(containers.auth!.name)}`);
      });
    expect(mail.subject).toBe('Confirm your email address');
  }, 60_000);

  it.each(['auth', 'user'] as const)(
    'When the %s docs pages are loaded, then every file of the docs packages they use is served',
    async (service) => {
      const { api } = containers[service]!;
      const served = new Set<string>();
      for (const page of ['/docs', '/redoc']) {
        const res = await get(`${api}${page}`);
        expect(res.status, page).toBe(200);
        for (const [, url] of res.body.toString().matchAll(/(?:src|href)="(docs\/assets\/[^"]+)"/g))
          served.add(url!);
      }
      // Every file DOCS_PACKAGE_FILES names (the maps too, which no page links), at its versioned URL.
      for (const [pkg, files] of Object.entries(DOCS_PACKAGE_FILES)) {
        const prefix = [...served].find((url) => url.includes(`/${pkg}@`))!;
        expect(prefix, pkg).toBeDefined();
        const version = /docs\/assets\/([^/]+)\//.exec(prefix)![1];
        for (const [file, type] of Object.entries(files)) {
          const res = await get(`${api}/docs/assets/${version}/${file}`);
          expect(res.status, file).toBe(200);
          // Koa adds a charset to a JSON type.
          expect(res.type, file).toMatch(new RegExp(`^${type}(;|$)`));
          expect(res.body.length, file).toBeGreaterThan(100);
        }
      }
      for (const url of served) expect((await get(`${api}/${url}`)).status, url).toBe(200);
    },
  );

  it('When the containers get SIGTERM, then they drain and exit 0 within seconds', async () => {
    for (const service of ['auth', 'user'] as const) {
      const { name } = containers[service]!;
      const started = Date.now();
      const kill = await podman(['kill', '--signal=TERM', name]);
      expect(kill.code, kill.stderr).toBe(0);
      const wait = await podman(['wait', name], 30_000);
      const seconds = (Date.now() - started) / 1000;
      expect(wait.stdout.trim(), `${service}:\n${await logsOf(name)}`).toBe('0');
      expect(seconds, service).toBeLessThan(10);
    }
  }, 60_000);
});
