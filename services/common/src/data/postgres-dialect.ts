import { createHash } from 'node:crypto';
import {
  QueryFailedError,
  type EntityManager,
  type ObjectLiteral,
  type SelectQueryBuilder,
} from 'typeorm';
import type { DialectName, SqlDialect, Statement } from './dialect.js';
import { ExclusiveAccess } from './exclusive-access.js';

/** A pg client as far as a named query needs it. */
interface PgClient {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

/**
 * What raw SQL needs of TypeORM's Postgres driver, through its public API: a pooled connection
 * (`obtainMasterConnection`, released by the callback it comes with; an error passed to it makes the
 * pool discard the connection, as pg's own `pool.query` does) and a transaction's connection
 * (`QueryRunner.connect`, which returns the one the transaction holds).
 */
interface PgDriver {
  obtainMasterConnection(): Promise<[PgClient, (err?: unknown) => void]>;
}

/** Postgres: concurrent transactions, prepared statements, SKIP LOCKED, advisory locks. */
export class PostgresDialect implements SqlDialect {
  readonly name = 'postgres';
  readonly concurrentTransactions = true;
  readonly access = new ExclusiveAccess(false);
  readonly timestampColumn = 'timestamptz';
  /** A statement's name is derived from its text: pg prepares one name for one text per connection. */
  private readonly names = new Map<string, string>();

  pick<T>(choices: Readonly<Record<DialectName, T>>): T {
    return choices.postgres;
  }

  text(statement: Statement): string {
    return statement.postgres;
  }

  /**
   * Runs as a named prepared statement straight on pg: parsed and planned once per connection
   * instead of on every call, and without the ORM's query runner around it. Errors keep the ORM's
   * shape (QueryFailedError with the driver's error inside).
   */
  async query<Row>(db: EntityManager, sql: Statement | string, params: unknown[]): Promise<Row[]> {
    const text = typeof sql === 'string' ? sql : sql.postgres;
    const config = { name: this.statementName(text), text, values: params };
    try {
      if (db.queryRunner) {
        const client = (await db.queryRunner.connect()) as PgClient;
        return (await client.query(config)).rows as Row[];
      }
      const [client, release] = await pgDriver(db).obtainMasterConnection();
      try {
        const { rows } = await client.query(config);
        release();
        return rows as Row[];
      } catch (err) {
        release(err);
        throw err;
      }
    } catch (err) {
      throw err instanceof QueryFailedError
        ? err
        : new QueryFailedError(text, params, err as Error);
    }
  }

  toTimestamp(at: Date): Date {
    return at;
  }

  fromTimestamp(value: Date | string): Date {
    return value instanceof Date ? value : new Date(value);
  }

  skipLocked<Q extends SelectQueryBuilder<ObjectLiteral>>(query: Q): Q {
    query.setLock('pessimistic_write').setOnLocked('skip_locked');
    return query;
  }

  async lock(db: EntityManager, space: number, key: number | string): Promise<void> {
    const sql =
      typeof key === 'number'
        ? 'SELECT pg_advisory_xact_lock($1, $2)'
        : 'SELECT pg_advisory_xact_lock($1, hashtext($2))';
    await db.query(sql, [space, key]);
  }

  private statementName(text: string): string {
    let name = this.names.get(text);
    if (!name) {
      name = `hot_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
      this.names.set(text, name);
    }
    return name;
  }
}

function pgDriver(db: EntityManager): PgDriver {
  const driver = db.dataSource.driver as Partial<PgDriver>;
  if (typeof driver.obtainMasterConnection !== 'function') {
    throw new Error('The Postgres driver no longer offers obtainMasterConnection().');
  }
  return driver as PgDriver;
}
