// Postgres databases and RabbitMQ queues of one benchmark run: created fresh, removed afterwards.
// The same conventions as test/support/infra.ts (uniqueName, createDatabase, deleteQueues), kept apart
// so that the benchmark runs on the built JavaScript alone.
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

/** Creates a fresh database on the server of `adminUrl`; returns its URL and a way to drop it. */
export async function createDatabase(adminUrl, prefix) {
  const name = uniqueName(prefix);
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
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
