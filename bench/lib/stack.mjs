// The services under test, started the way they run for real:
// - embedded (default): `node services/embedded/dist/main.js`, both services in one process, SQLite in a
//   temporary DATA_DIR, the in-process bus;
// - infra (--infra): `node services/<auth|user>/dist/main.js`, each a process of its own on a fresh
//   Postgres database, joined by a RabbitMQ queue of this run.
// Both deliver their mail over SMTP to the benchmark's sink (bench/lib/smtp-sink.mjs), whose URL and
// certificate come with `env`.
// Every step registers its undo with `life.defer` (run newest first, also on failure or Ctrl+C).
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import {
  createDatabase,
  deleteQueues,
  infraReachable,
  uniqueName,
} from '../../test/support/shared/infra.mjs';
import { freePorts } from '../../test/support/shared/processes.mjs';
import { describeExit, startProcess } from './processes.mjs';

/**
 * @param {{ root: string, workDir: string, infra: boolean, postgresUrl: string, amqpUrl: string,
 *   env: Record<string, string>, life: { defer(name: string, fn: () => Promise<unknown>): void },
 *   onUnexpectedExit: (name: string, exit: object) => void }} opts
 * @returns {Promise<{ mode: string, authUrl: string, userUrl: string, processes: object[],
 *   description: string }>}
 */
export async function startStack(opts) {
  const [authPort, userPort] = await freePorts(2);
  const urls = { authUrl: `http://127.0.0.1:${authPort}`, userUrl: `http://127.0.0.1:${userPort}` };
  return opts.infra
    ? startInfra(opts, { authPort, userPort, ...urls })
    : startEmbedded(opts, { authPort, userPort, ...urls });
}

async function startEmbedded(opts, { authPort, userPort, authUrl, userUrl }) {
  const service = await startService(opts, 'embedded', 'embedded process', {
    env: { AUTH_PORT: String(authPort), USER_PORT: String(userPort) },
    healthUrls: [`${authUrl}/readyz`, `${userUrl}/readyz`],
  });
  return {
    mode: 'embedded',
    authUrl,
    userUrl,
    processes: [service],
    description:
      'embedded default: both services in one process, SQLite (temp DATA_DIR), in-process bus',
  };
}

async function startInfra(opts, { authPort, userPort, authUrl, userUrl }) {
  const { postgresUrl, amqpUrl, life } = opts;
  await checkInfra(postgresUrl, amqpUrl);
  const authDb = await createDatabase(postgresUrl, 'bench_auth');
  life.defer(`drop database ${authDb.name}`, () => authDb.drop());
  const userDb = await createDatabase(postgresUrl, 'bench_user');
  life.defer(`drop database ${userDb.name}`, () => userDb.drop());
  const queue = uniqueName('user_info_bench');
  life.defer(`delete queue ${queue}`, () => deleteQueues(amqpUrl, queue));

  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const signingKey = {
    ...(await exportJWK(privateKey)),
    kid: uniqueName('bench'),
    alg: 'EdDSA',
    use: 'sig',
  };
  const common = {
    NODE_ENV: 'production',
    MIGRATE_ON_START: 'true',
    AMQP_URL: amqpUrl,
    AMQP_QUEUE: queue,
    // Required in production; the benchmark's SMTP sink (SMTP_URL, SMTP_CA_FILE) comes with `env`.
    MAIL_FROM: 'Benchmark <bench@example.com>',
    APP_BASE_URL: 'http://127.0.0.1',
    // The passkeys' relying party (WEBAUTHN_*) comes with `env`: config.mjs's RELYING_PARTY.
  };
  // One after the other, so that a failure of the first leaves nothing half-started behind it.
  const auth = await startService(opts, 'auth', 'auth service', {
    env: {
      ...common,
      PORT: String(authPort),
      DATABASE_URL: authDb.url,
      JWT_PRIVATE_KEYS: JSON.stringify([signingKey]),
      // Production requires the keyring that seals TOTP secrets, as it requires signing keys.
      MFA_ENCRYPTION_KEYS: JSON.stringify({
        current: 'bench',
        keys: { bench: randomBytes(32).toString('base64') },
      }),
    },
    healthUrls: [`${authUrl}/readyz`],
  });
  const user = await startService(opts, 'user', 'user service', {
    env: {
      ...common,
      PORT: String(userPort),
      DATABASE_URL: userDb.url,
      AUTH_JWKS_URL: `${authUrl}/.well-known/jwks.json`,
    },
    healthUrls: [`${userUrl}/readyz`],
  });
  return {
    mode: 'infra',
    authUrl,
    userUrl,
    /** For writing the directory's accounts straight into it (lib/directory.mjs). */
    authDatabaseUrl: authDb.url,
    processes: [auth, user],
    description: `infra: auth and user services as separate processes, Postgres (${authDb.name}, ${userDb.name}), RabbitMQ queue ${queue}`,
  };
}

/** `node services/<name>/dist/main.js` in the run's folder, stopped (and checked) by the undo. */
async function startService({ root, workDir, env, life, onUnexpectedExit }, name, what, opts) {
  const service = await startProcess({
    name,
    script: path.join(root, `services/${name}/dist/main.js`),
    cwd: workDir,
    env: { ...env, HOST: '127.0.0.1', DATA_DIR: path.join(workDir, 'data'), ...opts.env },
    logFile: path.join(workDir, `${name}.log`),
    healthUrls: opts.healthUrls,
    onUnexpectedExit,
  });
  life.defer(`stop the ${what}`, () => stopChecked(service));
  return service;
}

/** Throws unless Postgres and RabbitMQ accept connections. */
export async function checkInfra(postgresUrl, amqpUrl) {
  const { postgres, rabbitmq } = await infraReachable(postgresUrl, amqpUrl);
  if (!postgres || !rabbitmq) {
    const missing = [
      !postgres && `PostgreSQL (${redact(postgresUrl)})`,
      !rabbitmq && `RabbitMQ (${redact(amqpUrl)})`,
    ].filter(Boolean);
    const err = new Error(
      `--infra needs ${missing.join(' and ')}; set BENCH_POSTGRES_URL / BENCH_AMQP_URL for others`,
    );
    err.plain = true; // a message for the user, not a bug: no stack trace
    throw err;
  }
}

/** Stops a service; a shutdown that is not clean (exit code 0) is an error of the run. */
async function stopChecked(service) {
  if (service.crashed) return; // reported when it happened
  const exit = await service.stop();
  if (exit.code !== 0) {
    throw new Error(
      `${service.name} did not shut down cleanly (${describeExit(exit)}):\n${service.logTail()}`,
    );
  }
}

function redact(url) {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}
