import { connect } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AmqpBus, createLogger } from '@platform/common';
import { authDataSource } from '../../services/auth/src/data/data-source.js';
import { Store } from '../../services/auth/src/data/store.js';
import { OutboxRelay } from '../../services/auth/src/outbox/outbox-relay.js';
import { AMQP_URL, createDatabase, deleteQueues, uniqueName } from '../support/infra.js';

const logger = createLogger({ service: 'test', level: 'silent' });
const queue = uniqueName('user_info_relay');
let database: Awaited<ReturnType<typeof createDatabase>>;

beforeAll(async () => {
  database = await createDatabase('relay_auth');
  const setup = authDataSource(database.url);
  await setup.initialize();
  await setup.runMigrations();
  await setup.destroy();
});
afterAll(async () => {
  await database?.drop();
  await deleteQueues(queue).catch(() => undefined);
});

/** One replica of the auth service's relay: its own pool, its own broker connection. */
async function replica() {
  const dataSource = authDataSource(database.url, { poolSize: 2 });
  await dataSource.initialize();
  const bus = new AmqpBus({ url: AMQP_URL, queue, logger });
  await bus.start();
  const store = new Store(dataSource);
  const relay = new OutboxRelay({ store, bus, logger, pollMs: 20, batchSize: 7 });
  return {
    store,
    relay,
    stop: async () => {
      await relay.stop();
      await bus.close();
      await dataSource.destroy();
    },
  };
}

describe('the outbox relay in several replicas', () => {
  it('When three replicas relay 300 events of 30 accounts at once, then each is published once and every account in order', async () => {
    const replicas = await Promise.all([replica(), replica(), replica()]);
    const writer = replicas[0]!.store;
    // Each account's events sit next to each other, so one replica's batch holds part of an
    // account's events and the next replica's batch the rest: the case that breaks the order.
    await writer.transaction(async (repos) => {
      for (let account = 1; account <= 30; account++) {
        for (let n = 0; n < 10; n++) {
          await repos.outbox.add({
            eventType: 'Register',
            aggregateId: account,
            payload: { account, n },
          });
        }
      }
    });
    for (const r of replicas) r.relay.start();
    const deadline = Date.now() + 30_000;
    while ((await writer.repos.outbox.pendingCount()) > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await writer.repos.outbox.pendingCount()).toBe(0);
    await Promise.all(replicas.map((r) => r.stop()));

    const connection = await connect(AMQP_URL);
    const channel = await connection.createChannel();
    const received: { id: string; account: number; n: number }[] = [];
    for (
      let msg = await channel.get(queue, { noAck: true });
      msg;
      msg = await channel.get(queue, { noAck: true })
    ) {
      const body = JSON.parse(msg.content.toString()) as { account: number; n: number };
      received.push({ id: String(msg.properties.messageId), ...body });
    }
    await connection.close();

    expect(received).toHaveLength(300);
    expect(new Set(received.map((r) => r.id)).size).toBe(300);
    for (let account = 1; account <= 30; account++) {
      expect(received.filter((r) => r.account === account).map((r) => r.n)).toEqual([
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
      ]);
    }
  });
});
