import { connect } from 'amqplib';
import pg from 'pg';
import { generatePrivateJwk } from '../../services/auth/src/sessions/signing-keys.js';
import { AMQP_URL, createDatabase, deleteQueues, uniqueName } from '../support/infra.js';
import { freePorts, startServiceProcess, type ServiceProcess } from '../support/processes.js';

/**
 * The production shape for fault tests: each service a separate process on its own Postgres database,
 * a RabbitMQ queue of this run's own, and handles to break each part.
 */
export interface FaultStack {
  queue: string;
  auth?: ServiceProcess;
  user: ServiceProcess;
  authDb: pg.Pool;
  userDb: pg.Pool;
  stop(): Promise<void>;
}

const BASE_ENV = {
  NODE_ENV: 'test',
  LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
  ARGON2_MEMORY_KIB: '4096',
  ARGON2_TIME_COST: '1',
  OUTBOX_POLL_MS: '200',
  // Load from one address: no brute-force limit may refuse it (see TEST_ENV).
  LOGIN_MAX_FAILURES_PER_ACCOUNT: '100',
  LOGIN_MAX_FAILURES_PER_ACCOUNT_IP: '100',
  LOGIN_MAX_FAILURES_PER_IP: '1000000',
  REGISTER_RATE_PER_IP: '1000000',
  REFRESH_RATE_PER_IP: '1000000',
  CHALLENGE_AFTER_FAILURES: '0',
  // A replayed refresh token is reuse at once (see TEST_ENV).
  REFRESH_REUSE_INTERVAL_SECONDS: '0',
};

export async function startFaultStack(
  opts: {
    withAuth?: boolean;
    authDatabaseUrl?: (url: string) => Promise<string>;
    env?: Record<string, string>;
  } = {},
): Promise<FaultStack> {
  const [authDatabase, userDatabase] = await Promise.all([
    createDatabase('fault_auth'),
    createDatabase('fault_user'),
  ]);
  const queue = uniqueName('user_info_fault');
  const [authPort, userPort] = (await freePorts(2)) as [number, number];
  const common = { ...BASE_ENV, AMQP_URL, AMQP_QUEUE: queue, ...opts.env };
  let auth: ServiceProcess | undefined;
  if (opts.withAuth !== false) {
    const key = await generatePrivateJwk('fault-test');
    const databaseUrl = opts.authDatabaseUrl
      ? await opts.authDatabaseUrl(authDatabase.url)
      : authDatabase.url;
    auth = await startServiceProcess('auth', authPort, {
      ...common,
      DATABASE_URL: databaseUrl,
      JWT_PRIVATE_KEYS: JSON.stringify([key]),
    });
  }
  const user = await startServiceProcess('user', userPort, {
    ...common,
    DATABASE_URL: userDatabase.url,
    AUTH_JWKS_URL: `http://127.0.0.1:${authPort}/.well-known/jwks.json`,
  });
  const authDb = new pg.Pool({ connectionString: authDatabase.url, max: 2 });
  const userDb = new pg.Pool({ connectionString: userDatabase.url, max: 2 });
  // An idle connection the server ends (the database dropped WITH (FORCE) at the end of the run,
  // or a fault) is the pool's to replace, not an uncaught error of the test run.
  for (const pool of [authDb, userDb]) pool.on('error', () => undefined);
  return {
    queue,
    ...(auth ? { auth } : {}),
    user,
    authDb,
    userDb,
    stop: async () => {
      await Promise.allSettled([user.stop(), auth?.stop()]);
      await Promise.allSettled([authDb.end(), userDb.end()]);
      await Promise.allSettled([authDatabase.drop(), userDatabase.drop(), deleteQueues(queue)]);
    },
  };
}

/** Publishes raw bodies straight to the run's queue, as a misbehaving producer would. */
export async function publishRaw(
  queue: string,
  messages: { body: Buffer | string; messageId?: string; type?: string }[],
): Promise<void> {
  const connection = await connect(AMQP_URL);
  try {
    const channel = await connection.createConfirmChannel();
    for (const m of messages) {
      channel.sendToQueue(queue, Buffer.isBuffer(m.body) ? m.body : Buffer.from(m.body), {
        persistent: true,
        contentType: 'application/json',
        ...(m.messageId ? { messageId: m.messageId } : {}),
        ...(m.type ? { type: m.type } : {}),
      });
    }
    await channel.waitForConfirms();
    await channel.close();
  } finally {
    await connection.close();
  }
}

/** Reads the dead-letter queue without removing anything. */
export async function deadLetters(queue: string): Promise<{ id: string; reason: string }[]> {
  const connection = await connect(AMQP_URL);
  try {
    const channel = await connection.createChannel();
    const out: { id: string; reason: string }[] = [];
    for (
      let msg = await channel.get(`${queue}.dlq`);
      msg;
      msg = await channel.get(`${queue}.dlq`)
    ) {
      out.push({
        id: String(msg.properties.messageId ?? ''),
        reason: String(msg.properties.headers?.['x-dead-letter-reason'] ?? ''),
      });
    }
    await channel.close();
    return out;
  } finally {
    await connection.close();
  }
}

/** Polls `probe` until it returns true; fails with `what` after `timeoutMs`. Returns the time it took. */
export async function waitFor(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs = 60_000,
): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await probe()) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** Runs `tasks` with at most `limit` at a time. */
export async function pool<T>(limit: number, tasks: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < tasks.length) {
        const i = next++;
        results[i] = await tasks[i]!();
      }
    }),
  );
  return results;
}
