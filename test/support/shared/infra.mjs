// Postgres databases and RabbitMQ queues of one run, created fresh and removed afterwards, so that
// concurrent runs never meet. The tests (../infra.ts, on TEST_POSTGRES_URL and TEST_AMQP_URL) and the
// benchmark (bench/lib/stack.mjs, on its own URLs) both use these; plain JavaScript, because the
// benchmark runs on node alone. Types: infra.d.mts.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { connect } from 'amqplib';
import pg from 'pg';

/** A name no other run uses: databases and queues of concurrent runs never collide. */
export function uniqueName(prefix) {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

/** Whether something accepts TCP connections at the URL's host and port (1 s). */
export function reachable(url, defaultPort) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port || defaultPort) });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000);
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

/** Whether Postgres and RabbitMQ accept connections, checked at once. */
export async function infraReachable(postgresUrl, amqpUrl) {
  const [postgres, rabbitmq] = await Promise.all([
    reachable(postgresUrl, 5432),
    reachable(amqpUrl, 5672),
  ]);
  return { postgres, rabbitmq };
}

/** Creates a fresh database on the server of `adminUrl`; returns its URL and a way to drop it. */
export async function createDatabase(adminUrl, prefix) {
  const name = uniqueName(prefix);
  await withClient(adminUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () =>
      withClient(adminUrl, async (client) => {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      }),
  };
}

async function withClient(connectionString, use) {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** Deletes a run's queue, its dead-letter queue and its dead-letter exchange. */
export async function deleteQueues(amqpUrl, queue) {
  const connection = await connect(amqpUrl);
  try {
    const channel = await connection.createChannel();
    await channel.deleteQueue(queue);
    await channel.deleteQueue(`${queue}.dlq`);
    await channel.deleteExchange(`${queue}.dlx`);
    await channel.close();
  } finally {
    await connection.close();
  }
}
