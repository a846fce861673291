import type { EntityManager, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { DialectName, SqlDialect, Statement } from './dialect.js';
import { ExclusiveAccess } from './exclusive-access.js';

/**
 * SQLite through better-sqlite3: one connection, so transactions and the statements outside them take
 * turns (`access`), and neither row locks nor advisory locks are needed. Timestamps are stored as the
 * ORM writes them: UTC text with milliseconds (`2026-11-25 17:02:21.123`).
 */
export class SqliteDialect implements SqlDialect {
  readonly name = 'sqlite';
  readonly concurrentTransactions = false;
  readonly access = new ExclusiveAccess(true);
  readonly timestampColumn = 'datetime';

  pick<T>(choices: Readonly<Record<DialectName, T>>): T {
    return choices.sqlite;
  }

  text(statement: Statement): string {
    return statement.sqlite;
  }

  /** An ordinary query: the driver caches its prepared statements itself. */
  async query<Row>(db: EntityManager, sql: Statement | string, params: unknown[]): Promise<Row[]> {
    return (await db.query(typeof sql === 'string' ? sql : sql.sqlite, params)) as Row[];
  }

  toTimestamp(at: Date): string {
    return at.toISOString().replace('T', ' ').replace('Z', '');
  }

  fromTimestamp(value: Date | string): Date {
    if (value instanceof Date) return value;
    return new Date(/^\d{4}-\d\d-\d\d \d/.test(value) ? `${value.replace(' ', 'T')}Z` : value);
  }

  skipLocked<Q extends SelectQueryBuilder<ObjectLiteral>>(query: Q): Q {
    return query;
  }

  async lock(): Promise<void> {
    // Transactions take turns (access): nothing else can change the locked thing meanwhile.
  }
}
