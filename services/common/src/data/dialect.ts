import type { DataSource, EntityManager, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { ExclusiveAccess } from './exclusive-access.js';

export type DialectName = 'postgres' | 'sqlite';

/** Raw SQL written once for both databases: `p(n)` stands for the n-th positional parameter. */
export type SqlTemplate = (p: (n: number) => string) => string;

/**
 * A statement's text for each database, built once (a hot statement's text is then the same string
 * on every call): `$n` on Postgres; `?` on SQLite, which binds parameters in the order they appear,
 * so the template must use them in order.
 */
export interface Statement {
  readonly postgres: string;
  readonly sqlite: string;
}

export function statement(template: SqlTemplate): Statement {
  return { postgres: template((n) => `$${n}`), sqlite: template(() => '?') };
}

/**
 * Everything that differs between the two databases, in one object per data source: statement texts,
 * how raw SQL runs, timestamps, row locks and the turn-taking SQLite needs. Repositories receive it
 * with their EntityManager; where behaviour really differs they come in a Postgres and a SQLite
 * variant side by side, chosen by `pick`.
 */
export interface SqlDialect {
  readonly name: DialectName;
  /**
   * Whether two transactions can run at once. On Postgres they can, so rows are locked where it
   * matters; on SQLite transactions and the statements outside them take turns (`access`).
   */
  readonly concurrentTransactions: boolean;
  /** The turn-taking of every statement and transaction of this data source (see ExclusiveAccess). */
  readonly access: ExclusiveAccess;
  /** The column type of timestamps in migrations. */
  readonly timestampColumn: 'timestamptz' | 'datetime';
  /** The one of `choices` that belongs to this database. */
  pick<T>(choices: Readonly<Record<DialectName, T>>): T;
  text(statement: Statement): string;
  /**
   * Raw SQL on a request's hot path, on `db` (a transaction's manager or the data source's). The texts
   * must be constants: Postgres prepares each distinct text once per connection and keeps it.
   */
  query<Row>(db: EntityManager, sql: Statement | string, params: unknown[]): Promise<Row[]>;
  /** A timestamp as raw SQL binds it for a column the ORM also writes. */
  toTimestamp(at: Date): Date | string;
  /** A timestamp column as raw SQL reads it back. */
  fromTimestamp(value: Date | string): Date;
  /** Locks the rows the query selects, skipping those another transaction holds (Postgres). */
  skipLocked<Q extends SelectQueryBuilder<ObjectLiteral>>(query: Q): Q;
  /**
   * Inside a transaction: waits for, then holds until it ends, the lock named by `space` and `key`.
   * SQLite needs none: its transactions take turns.
   */
  lock(db: EntityManager, space: number, key: number | string): Promise<void>;
}

const dialects = new WeakMap<DataSource, SqlDialect>();

/** Called by createDataSource, which makes each data source's dialect with it. */
export function registerDialect(dataSource: DataSource, dialect: SqlDialect): void {
  dialects.set(dataSource, dialect);
}

/** The dialect of a data source made by createDataSource (or of one of its managers or runners). */
export function dialectOf(source: DataSource | { dataSource: DataSource }): SqlDialect {
  const dataSource = 'dataSource' in source ? source.dataSource : source;
  const dialect = dialects.get(dataSource);
  if (!dialect) throw new Error('This data source was not made by createDataSource.');
  return dialect;
}
