// The services under test, started the way they run for real:
// - embedded (default): `node services/embedded/dist/main.js`, both services in one process, SQLite in a
//   temporary DATA_DIR, the in-process bus;
// - infra (--infra): `node services/<auth|user>/dist/main.js`, each a process of its own on a fresh
//   Postgres database, joined by a RabbitMQ queue of this run.
// Every step registers its undo with `cleanup` (run newest first, also on failure or Ctrl+C).
import path from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import {
  createDatabase,
  deleteQueues,
  infraReachable,
  uniqueName,
} from '../../test/support/shared/infra.mjs';
import { freePort } from '../../test/support/shared/processes.mjs';
import { describeExit, startProcess } from './processes.mjs';

/**
 * @param {{ root: string, workDir: string, infra: boolean, postgresUrl: string, amqpUrl: string,
 *   baseEnv: Record<string, string>, cleanup: { push(name: string, fn: () => Promise<unknown>): void },
 *   onUnexpectedExit: (name: string, exit: object) => void }} opts
 * @returns {Promise<{ mode: string, authUrl: string, userUrl: string, processes: object[],
 *   description: string }>}
 */
export async function startStack(opts) {
  return opts.infra ? startInfra(opts) : startEmbedded(opts);
}

async function startEmbedded({ root, workDir, baseEnv, cleanup, onUnexpectedExit }) {
  const authPort = await freePort();
  let userPort = await freePort();
  while (userPort === authPort) userPort = await freePort();
  const authUrl = `http://127.0.0.1:${authPort}`;
  const userUrl = `http://127.0.0.1:${userPort}`;
  const service = await startProcess({
    name: 'embedded',
    script: path.join(root, 'services/embedded/dist/main.js'),
    cwd: workDir,
    env: {
      ...baseEnv,
      HOST: '127.0.0.1',
      AUTH_PORT: String(authPort),
      USER_PORT: String(userPort),
      DATA_DIR: path.join(workDir, 'data'),
    },
    logFile: path.join(workDir, 'embedded.log'),
    healthUrls: [`${authUrl}/readyz`, `${userUrl}/readyz`],
    onUnexpectedExit,
  });
  cleanup.push('stop the embedded process', () => stopChecked(service));
  return {
    mode: 'embedded',
    authUrl,
    userUrl,
    processes: [service],
    description:
      'embedded default: both services in one process, SQLite (temp DATA_DIR), in-process bus',
  };
}

async function startInfra({
  root,
  workDir,
  postgresUrl,
  amqpUrl,
  baseEnv,
  cleanup,
  onUnexpectedExit,
}) {
  await checkInfra(postgresUrl, amqpUrl);
  const authDb = await createDatabase(postgresUrl, 'bench_auth');
  cleanup.push(`drop database ${authDb.name}`, () => authDb.drop());
  const userDb = await createDatabase(postgresUrl, 'bench_user');
  cleanup.push(`drop database ${userDb.name}`, () => userDb.drop());
  const queue = uniqueName('user_info_bench');
  cleanup.push(`delete queue ${queue}`, () => deleteQueues(amqpUrl, queue));

  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const signingKey = {
    ...(await exportJWK(privateKey)),
    kid: uniqueName('bench'),
    alg: 'EdDSA',
    use: 'sig',
  };
  const authPort = await freePort();
  let userPort = await freePort();
  while (userPort === authPort) userPort = await freePort();
  const authUrl = `http://127.0.0.1:${authPort}`;
  const userUrl = `http://127.0.0.1:${userPort}`;
  const common = {
    ...baseEnv,
    NODE_ENV: 'production',
    MIGRATE_ON_START: 'true',
    HOST: '127.0.0.1',
    DATA_DIR: path.join(workDir, 'data'),
    AMQP_URL: amqpUrl,
    AMQP_QUEUE: queue,
  };
  // One after the other, so that a failure of the first leaves nothing half-started behind it.
  const auth = await startProcess({
    name: 'auth',
    script: path.join(root, 'services/auth/dist/main.js'),
    cwd: workDir,
    env: {
      ...common,
      PORT: String(authPort),
      DATABASE_URL: authDb.url,
      JWT_PRIVATE_KEYS: JSON.stringify([signingKey]),
    },
    logFile: path.join(workDir, 'auth.log'),
    healthUrls: [`${authUrl}/readyz`],
    onUnexpectedExit,
  });
  cleanup.push('stop the auth service', () => stopChecked(auth));
  const user = await startProcess({
    name: 'user',
    script: path.join(root, 'services/user/dist/main.js'),
    cwd: workDir,
    env: {
      ...common,
      PORT: String(userPort),
      DATABASE_URL: userDb.url,
      AUTH_JWKS_URL: `${authUrl}/.well-known/jwks.json`,
    },
    logFile: path.join(workDir, 'user.log'),
    healthUrls: [`${userUrl}/readyz`],
    onUnexpectedExit,
  });
  cleanup.push('stop the user service', () => stopChecked(user));
  return {
    mode: 'infra',
    authUrl,
    userUrl,
    processes: [auth, user],
    description: `infra: auth and user services as separate processes, Postgres (${authDb.name}, ${userDb.name}), RabbitMQ queue ${queue}`,
  };
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
