import { createHash } from 'node:crypto';
import { QueryFailedError, type EntityManager } from 'typeorm';

/** What a named query needs of pg's Pool or of one of its clients. */
interface PgQueryable {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

/** A statement's name is derived from its text: pg prepares one name for one text per connection. */
const names = new Map<string, string>();
function statementName(sql: string): string {
  let name = names.get(sql);
  if (!name) {
    name = `hot_${createHash('sha256').update(sql).digest('hex').slice(0, 24)}`;
    names.set(sql, name);
  }
  return name;
}

/**
 * Raw SQL on a request's hot path. On Postgres it runs as a named prepared statement straight on pg
 * (the pool, or the transaction's connection): parsed and planned once per connection instead of on
 * every call, and without the ORM's query runner around it. On SQLite it is an ordinary query (the
 * driver caches its prepared statements itself). Errors keep the ORM's shape (QueryFailedError with
 * the driver's error inside). The texts must be constants: each distinct text is prepared once per
 * connection and kept.
 */
export async function hotQuery<Row>(
  db: EntityManager,
  sql: string,
  params: unknown[],
): Promise<Row[]> {
  const target = pgTarget(db);
  if (!target) return (await db.query(sql, params)) as Row[];
  try {
    return (await target.query({ name: statementName(sql), text: sql, values: params }))
      .rows as Row[];
  } catch (err) {
    throw new QueryFailedError(sql, params, err as Error);
  }
}

function pgTarget(db: EntityManager): PgQueryable | undefined {
  const driver = db.connection.driver as { options: { type: string }; master?: PgQueryable };
  if (driver.options.type !== 'postgres') return undefined;
  if (!db.queryRunner) return driver.master;
  // Inside a transaction: the connection the ORM has taken from the pool for it.
  return (db.queryRunner as unknown as { databaseConnection?: PgQueryable }).databaseConnection;
}

/** Whether raw SQL on `db` runs on Postgres (the other database is SQLite). */
export function onPostgres(db: EntityManager): boolean {
  return db.connection.options.type === 'postgres';
}

/** Raw SQL written once for both databases: `p(n)` stands for the n-th positional parameter. */
export type SqlTemplate = (p: (n: number) => string) => string;

/**
 * The template's text for each database, built once (a hot statement's text is then the same string
 * on every call): `$n` on Postgres; `?` on SQLite, which binds parameters in the order they appear, so
 * the template must use them in order.
 */
export function sqlText(template: SqlTemplate): (db: EntityManager) => string {
  const postgres = template((n) => `$${n}`);
  const sqlite = template(() => '?');
  return (db) => (onPostgres(db) ? postgres : sqlite);
}

/**
 * A timestamp as raw SQL binds it for a column the ORM also writes: a Date on Postgres; on SQLite the
 * ORM's text form, UTC with milliseconds (`2026-11-25 17:02:21.123`).
 */
export function sqlTimestamp(db: EntityManager, at: Date): Date | string {
  if (onPostgres(db)) return at;
  return at.toISOString().replace('T', ' ').replace('Z', '');
}

/**
 * A timestamp column as raw SQL reads it back: a Date from Postgres (timestamptz); from SQLite the
 * ORM's text form, which is UTC.
 */
export function fromSqlTimestamp(value: Date | string): Date {
  if (value instanceof Date) return value;
  return new Date(/^\d{4}-\d\d-\d\d \d/.test(value) ? `${value.replace(' ', 'T')}Z` : value);
}
