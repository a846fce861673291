import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DataSource, EntitySchema, QueryFailedError } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDataSource,
  dialectOf,
  isUniqueViolation,
  statement,
  type SqlDialect,
} from '../src/index.js';
import { createDatabase } from '../../../test/support/infra.js';
import { STACK_MODE } from '../../../test/support/stack.js';

// The dialect against the real database of each mode (SQLite embedded, Postgres in infra), including
// what it needs of TypeORM beyond its documented surface: an upgrade that breaks it fails here.

interface ItemRow {
  id: number;
  stamped_at: Date;
}
const ItemEntity = new EntitySchema<ItemRow>({
  name: 'Item',
  tableName: 'dialect_items',
  columns: {
    id: { type: 'integer', primary: true },
    stamped_at: { type: Date },
  },
});

let workDir: string;
let dropDatabase: () => Promise<void> = async () => undefined;
let dataSource: DataSource;
let sql: SqlDialect;

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'dialect-'));
  let url = `sqlite:${path.join(workDir, 'dialect.db')}`;
  if (STACK_MODE === 'infra') {
    const database = await createDatabase('dialect');
    url = database.url;
    dropDatabase = database.drop;
  }
  // One connection, so that what one statement prepared is visible to the next.
  dataSource = createDataSource({ url, entities: [ItemEntity], migrations: [], poolSize: 1 });
  await dataSource.initialize();
  sql = dialectOf(dataSource);
  const timestamp = sql.timestampColumn;
  await dataSource.query(
    `CREATE TABLE dialect_items (id integer PRIMARY KEY, stamped_at ${timestamp} NOT NULL)`,
  );
  const rows = Array.from({ length: 6 }, (_, i) => ({ id: i + 1, stamped_at: new Date() }));
  await dataSource.getRepository(ItemEntity).insert(rows);
});
afterAll(async () => {
  await dataSource?.destroy();
  await dropDatabase();
  await rm(workDir, { recursive: true, force: true });
});

const ITEM = statement((p) => `SELECT id, stamped_at FROM dialect_items WHERE id = ${p(1)}`);
const STAMP = statement((p) => `UPDATE dialect_items SET stamped_at = ${p(1)} WHERE id = ${p(2)}`);

describe(`the ${STACK_MODE === 'infra' ? 'Postgres' : 'SQLite'} dialect`, () => {
  it('When a data source was not made by createDataSource, then it has no dialect', () => {
    const other = new DataSource({ type: 'better-sqlite3', database: ':memory:' });
    expect(() => dialectOf(other)).toThrow(/not made by createDataSource/);
  });

  it('When raw SQL binds a timestamp, then the ORM reads back the same instant, and so does raw SQL', async () => {
    const at = new Date('2026-11-25T17:02:21.123Z');
    await sql.query(dataSource.manager, STAMP, [sql.toTimestamp(at), 1]);
    const viaOrm = await dataSource.getRepository(ItemEntity).findOneByOrFail({ id: 1 });
    expect(viaOrm.stamped_at.toISOString()).toBe(at.toISOString());
    const [raw] = await sql.query<{ stamped_at: Date | string }>(dataSource.manager, ITEM, [1]);
    expect(sql.fromTimestamp(raw!.stamped_at).toISOString()).toBe(at.toISOString());
  });

  it('When a statement runs inside and outside a transaction, then both see the same rows', async () => {
    const outside = await sql.query<{ id: number }>(dataSource.manager, ITEM, [2]);
    const inside = await dataSource.transaction((manager) =>
      sql.query<{ id: number }>(manager, ITEM, [2]),
    );
    expect(outside.map((r) => Number(r.id))).toEqual([2]);
    expect(inside.map((r) => Number(r.id))).toEqual([2]);
  });

  it('When a statement breaks a constraint, then the error is the ORM’s with the driver’s inside', async () => {
    const insert = statement(
      (p) => `INSERT INTO dialect_items (id, stamped_at) VALUES (${p(1)}, ${p(2)})`,
    );
    const error: unknown = await sql
      .query(dataSource.manager, insert, [3, sql.toTimestamp(new Date())])
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(QueryFailedError);
    expect(isUniqueViolation(error)).toBe(true);
    // The connection still works after the failure.
    expect(await sql.query(dataSource.manager, ITEM, [3])).toHaveLength(1);
  });

  it('When two transactions take the same lock, then the second waits until the first has ended', async () => {
    // On Postgres the second runs on a connection of its own; SQLite has one connection per file.
    const other = STACK_MODE === 'infra' ? await openAnother() : dataSource;
    const order: string[] = [];
    const holder = (source: DataSource, name: string, holdMs: number) => {
      const dialect = dialectOf(source);
      return dialect.access.run(() =>
        source.transaction(async (manager) => {
          await dialect.lock(manager, 0x74657374, 'shared');
          order.push(`${name} in`);
          await delay(holdMs);
          order.push(`${name} out`);
        }),
      );
    };
    try {
      await Promise.all([
        holder(dataSource, 'first', 150),
        delay(30).then(() => holder(other, 'second', 0)),
      ]);
    } finally {
      if (other !== dataSource) await other.destroy();
    }
    expect(order).toEqual(['first in', 'first out', 'second in', 'second out']);
  });
});

// Postgres alone prepares statements, has connections of its own per transaction and locks rows.
if (STACK_MODE === 'infra')
  describe('what the Postgres dialect needs of TypeORM', () => {
    const prepared = (manager = dataSource.manager) =>
      manager
        .query('SELECT name FROM pg_prepared_statements')
        .then((rows: { name: string }[]) => rows.map((r) => r.name));

    it('When a hot statement runs on a pooled connection, then it is prepared there under its name', async () => {
      const COUNT = statement(() => 'SELECT count(*) AS n FROM dialect_items');
      await sql.query(dataSource.manager, COUNT, []);
      expect((await prepared()).filter((name) => name.startsWith('hot_'))).not.toEqual([]);
    });

    it('When a hot statement runs in a transaction, then it runs on the transaction’s connection', async () => {
      const MARK = statement(() => 'SELECT id FROM dialect_items WHERE id = 4 FOR UPDATE');
      await dataSource.transaction(async (manager) => {
        await sql.query(manager, MARK, []);
        const [pid] = (await manager.query('SELECT pg_backend_pid() AS pid')) as { pid: number }[];
        const locks = (await manager.query(
          `SELECT count(*)::int AS n FROM pg_locks WHERE pid = $1 AND locktype = 'transactionid'`,
          [pid!.pid],
        )) as { n: number }[];
        // FOR UPDATE took a transaction lock on this backend: the statement ran in this transaction.
        expect(locks[0]!.n).toBeGreaterThan(0);
      });
    });

    it('When two transactions pick rows with skipLocked, then they take different rows', async () => {
      const pick = (manager: DataSource['manager']) =>
        sql
          .skipLocked(
            manager.createQueryBuilder(ItemEntity, 'i').select('i.id').orderBy('i.id').limit(2),
          )
          .getMany()
          .then((rows) => rows.map((r) => r.id));
      const second = await openAnother();
      try {
        let release: () => void = () => undefined;
        const held = new Promise<void>((resolve) => (release = resolve));
        let firstRows: number[] = [];
        const first = dataSource.transaction(async (manager) => {
          firstRows = await pick(manager);
          await held;
        });
        await delay(50);
        const secondRows = await second.transaction(pick);
        release();
        await first;
        expect(firstRows).toEqual([1, 2]);
        expect(secondRows).toEqual([3, 4]);
      } finally {
        await second.destroy();
      }
    });
  });

/** Another data source on the same database. */
async function openAnother(): Promise<DataSource> {
  const url = (dataSource.options as { url?: string }).url!;
  const other = createDataSource({ url, entities: [ItemEntity], migrations: [], poolSize: 1 });
  await other.initialize();
  return other;
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
