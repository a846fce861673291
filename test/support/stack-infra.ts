import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import pg from 'pg';
import { generatePrivateJwk } from '../../services/auth/src/sessions/signing-keys.js';
import { client } from './http-client.js';
import { AMQP_URL, createDatabase, deleteQueues, uniqueName } from './infra.js';
import { freePorts, startServiceProcess, type ServiceProcess } from './processes.js';
import { pollUntil, TEST_ENV, type DeadLetter, type Stack, type StackDatabase } from './stack.js';

/** How long settle() and drained() wait before they fail. */
const WAIT_MS = 20_000;
/** The header the consumer records its reason in when it dead-letters (amqp-topology.ts). */
const REASON_HEADER = 'x-dead-letter-reason';

/**
 * The production shape: `node services/<name>/dist/main.js` for each service, configured only by its
 * environment, each on a Postgres database of its own, joined by a RabbitMQ queue of this stack's own.
 * Everything created is removed again by stop(), also when starting fails half-way.
 */
export async function startInfraStack(env: Record<string, string>): Promise<Stack> {
  const cleanup: (() => Promise<unknown>)[] = [];
  // Undone one step at a time, newest first; every step runs even when an earlier one fails.
  const undo = async () => {
    const errors: unknown[] = [];
    for (const step of cleanup.splice(0).reverse()) await step().catch((err) => errors.push(err));
    if (errors.length > 0) throw errors[0];
  };
  try {
    return await build(env, cleanup, undo);
  } catch (err) {
    await undo().catch(() => undefined);
    throw err;
  }
}

async function build(
  env: Record<string, string>,
  cleanup: (() => Promise<unknown>)[],
  undo: () => Promise<void>,
): Promise<Stack> {
  // A working folder as the services' cwd and DATA_DIR: a developer's .env is not picked up.
  const workDir = await mkdtemp(path.join(tmpdir(), 'auth-user-infra-'));
  cleanup.push(() => rm(workDir, { recursive: true, force: true }));
  const [authDatabase, userDatabase] = await Promise.all([
    createDatabase('test_auth'),
    createDatabase('test_user'),
  ]);
  // Dropped last (cleanup runs in reverse), after the processes and pools that use them.
  cleanup.push(() => Promise.all([authDatabase.drop(), userDatabase.drop()]));
  const queue = uniqueName('user_info_test');
  cleanup.push(() => deleteQueues(queue));

  const signingKey = await generatePrivateJwk(`test-${randomUUID()}`);
  const [authPort, userPort] = (await freePorts(2)) as [number, number];
  const common = {
    ...TEST_ENV,
    DATA_DIR: workDir,
    AMQP_URL,
    AMQP_QUEUE: queue,
    OUTBOX_POLL_MS: '200',
    ...env,
  };
  // Started together: the user service fetches the auth service's keys only when a token arrives.
  const started = await Promise.allSettled([
    startServiceProcess(
      'auth',
      authPort,
      { ...common, DATABASE_URL: authDatabase.url, JWT_PRIVATE_KEYS: JSON.stringify([signingKey]) },
      { cwd: workDir },
    ),
    startServiceProcess(
      'user',
      userPort,
      {
        ...common,
        DATABASE_URL: userDatabase.url,
        AUTH_JWKS_URL: `http://127.0.0.1:${authPort}/.well-known/jwks.json`,
      },
      { cwd: workDir },
    ),
  ]);
  const running = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  cleanup.push(() => Promise.all(running.map((service) => service.stop())));
  for (const result of started) if (result.status === 'rejected') throw result.reason;
  const [auth, user] = started.map((r) => (r as PromiseFulfilledResult<ServiceProcess>).value) as [
    ServiceProcess,
    ServiceProcess,
  ];
  // Ready means the database answers and the broker is connected with the queues declared.
  await Promise.all([waitReady(auth), waitReady(user)]);

  const authDb = new pg.Pool({ connectionString: authDatabase.url, max: 2 });
  const userDb = new pg.Pool({ connectionString: userDatabase.url, max: 2 });
  // An idle connection the server ends (the database dropped WITH (FORCE) at the end of the run,
  // or a fault) is the pool's to replace, not an uncaught error of the test run.
  for (const pool of [authDb, userDb]) pool.on('error', () => undefined);
  cleanup.push(() => Promise.all([authDb.end(), userDb.end()]));
  const broker = new Broker(queue);
  cleanup.push(() => broker.close());

  /** Published through publishRaw and not yet seen processed or dead-lettered. */
  const pending = new Set<string>();
  /** Outbox message ids already seen in processed_messages. */
  const consumed = new Set<string>();

  const processedAmong = async (ids: string[]): Promise<Set<string>> => {
    if (ids.length === 0) return new Set();
    const { rows } = await userDb.query<{ message_id: string }>(
      'SELECT message_id FROM processed_messages WHERE message_id = ANY($1)',
      [ids],
    );
    return new Set(rows.map((r) => r.message_id));
  };

  return {
    mode: 'infra',
    authApi: client(auth.url),
    userApi: client(user.url),
    signingKey,
    authDb: database(authDb),
    userDb: database(userDb),
    publishRaw: async (payload, opts = {}) => {
      const id = opts.id ?? randomUUID();
      const type = opts.type ?? String((payload as { event_type?: unknown } | null)?.event_type);
      pending.add(id);
      await broker.publish(id, type, payload);
      return id;
    },
    drained: async () => {
      let ready = 0;
      const stuck = (ids: string[]) => {
        // Reported once: the next call waits only for what is published after this one.
        pending.clear();
        return ids;
      };
      await pollUntil(
        async () => {
          for (const id of await processedAmong([...pending])) pending.delete(id);
          if (pending.size > 0) {
            for (const { id } of await broker.deadLetters()) pending.delete(id);
          }
          ready = await broker.ready();
          return pending.size === 0 && ready === 0;
        },
        () =>
          `drained(): after ${WAIT_MS} ms, ${pending.size} published message(s) were neither in ` +
          `processed_messages nor dead-lettered (${stuck([...pending]).join(', ')}); ${ready} waiting in ` +
          `${queue}.\nuser service output:\n${user.output()}`,
        WAIT_MS,
      );
    },
    deadLetters: () => broker.deadLetters(),
    settle: async () => {
      let unsent = 0;
      let missing: string[] = [];
      await pollUntil(
        async () => {
          const { rows } = await authDb.query<{ message_id: string; sent: boolean }>(
            'SELECT message_id, sent_at IS NOT NULL AS sent FROM outbox',
          );
          unsent = rows.filter((r) => !r.sent).length;
          const open = rows.map((r) => r.message_id).filter((id) => !consumed.has(id));
          for (const id of await processedAmong(open)) consumed.add(id);
          missing = open.filter((id) => !consumed.has(id));
          return unsent === 0 && missing.length === 0;
        },
        async () => {
          const dead = (await broker.deadLetters()).filter((d) => missing.includes(d.id));
          return (
            `settle(): after ${WAIT_MS} ms, ${unsent} outbox row(s) were unsent and ` +
            `${missing.length} event(s) not in the user database's processed_messages ` +
            `(${missing.join(', ')})` +
            (dead.length > 0
              ? `; dead-lettered: ${dead.map((d) => `${d.id}: ${d.reason}`).join('; ')}`
              : '') +
            `\nauth service output:\n${auth.output()}\nuser service output:\n${user.output()}`
          );
        },
        WAIT_MS,
      );
    },
    stop: undo,
  };
}

async function waitReady(service: ServiceProcess): Promise<void> {
  let last = 'no answer';
  await pollUntil(
    async () => {
      try {
        const res = await fetch(`${service.url}/readyz`);
        last = `${res.status} ${await res.text()}`;
        return res.ok;
      } catch (err) {
        last = (err as Error).message;
        return false;
      }
    },
    () => `${service.url}/readyz did not answer 200 in 30 s (last: ${last}):\n${service.output()}`,
    30_000,
    100,
  );
}

/** pg takes $1, $2, ...: each `?` outside a quoted string or identifier becomes the next one. */
export function toPostgresPlaceholders(sql: string): string {
  let n = 0;
  let quote: string | undefined;
  let out = '';
  for (const ch of sql) {
    if (quote) {
      if (ch === quote) quote = undefined;
      out += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      out += ch;
    } else {
      out += ch === '?' ? `$${++n}` : ch;
    }
  }
  return out;
}

function database(pool: pg.Pool): StackDatabase {
  return {
    query: async <T>(sql: string, params: unknown[] = []) => {
      const { rows } = await pool.query(toPostgresPlaceholders(sql), params);
      return { rows: rows as T[] };
    },
  };
}

/** The stack's own connection to RabbitMQ: publishes as the outbox relay does, reads the DLQ. */
class Broker {
  private connection: Promise<ChannelModel> | undefined;
  private publisher: Promise<ConfirmChannel> | undefined;

  constructor(private readonly queue: string) {}

  private connect(): Promise<ChannelModel> {
    this.connection ??= connect(AMQP_URL).then((connection) => {
      connection.on('error', () => undefined);
      return connection;
    });
    return this.connection;
  }

  /** The properties AmqpBus.publish sets, on a confirm channel: resolves once the broker has it. */
  async publish(id: string, type: string, payload: unknown): Promise<void> {
    this.publisher ??= this.connect().then((c) => c.createConfirmChannel());
    const channel = await this.publisher;
    await new Promise<void>((resolve, reject) => {
      channel.sendToQueue(
        this.queue,
        Buffer.from(JSON.stringify(payload)),
        {
          persistent: true,
          messageId: id,
          type,
          timestamp: Math.floor(Date.now() / 1000),
          contentType: 'application/json',
          headers: {},
        },
        (err) => (err ? reject(new Error(`the broker refused message ${id}`)) : resolve()),
      );
    });
  }

  /** Reads the whole DLQ without acknowledging; closing the channel puts every message back. */
  async deadLetters(): Promise<DeadLetter[]> {
    const channel = await (await this.connect()).createChannel();
    try {
      const out: DeadLetter[] = [];
      for (;;) {
        const msg = await channel.get(`${this.queue}.dlq`, { noAck: false });
        if (!msg) break;
        out.push({
          id: String(msg.properties.messageId ?? ''),
          reason: String(msg.properties.headers?.[REASON_HEADER] ?? ''),
        });
      }
      return out;
    } finally {
      await channel.close();
    }
  }

  /** Messages waiting in the work queue (not those delivered and being handled). */
  async ready(): Promise<number> {
    const channel = await (await this.connect()).createChannel();
    try {
      return (await channel.checkQueue(this.queue)).messageCount;
    } finally {
      await channel.close();
    }
  }

  async close(): Promise<void> {
    if (!this.connection) return;
    const connection = await this.connection;
    await connection.close();
  }
}
