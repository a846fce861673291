import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DataSource, type EntitySchema, type MixedList } from 'typeorm';
import { registerDialect } from './dialect.js';
import { PostgresDialect } from './postgres-dialect.js';
import { SqliteDialect } from './sqlite-dialect.js';

export interface DataSourceOptions {
  /** `postgres://...` or `sqlite:<path>` (`sqlite::memory:` for a throwaway database). */
  url: string;
  entities: MixedList<EntitySchema>;
  migrations: MixedList<new () => unknown>;
  poolSize?: number;
  /** Milliseconds a query may wait for a connection or a lock before it fails. */
  timeoutMs?: number;
}

/**
 * One DataSource factory for both databases, and the one place that tells them apart: the URL picks
 * the driver and the data source's dialect (dialectOf), which everything after it asks. Migrations
 * are the only way the schema changes.
 */
export function createDataSource(opts: DataSourceOptions): DataSource {
  const timeoutMs = opts.timeoutMs ?? 5000;
  const common = {
    entities: opts.entities,
    migrations: opts.migrations as MixedList<string | (new () => never)>,
    synchronize: false,
    migrationsTransactionMode: 'each' as const,
  };
  if (opts.url.startsWith('sqlite:')) {
    const file = opts.url.slice('sqlite:'.length);
    if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    const dataSource = new DataSource({
      ...common,
      type: 'better-sqlite3',
      database: file,
      enableWAL: true,
      timeout: timeoutMs,
      prepareDatabase: (db: { pragma(sql: string): unknown }) => {
        db.pragma('foreign_keys = ON');
        db.pragma('synchronous = NORMAL');
      },
    });
    registerDialect(dataSource, new SqliteDialect());
    return dataSource;
  }
  const dataSource = new DataSource({
    ...common,
    type: 'postgres',
    url: opts.url,
    poolSize: opts.poolSize ?? 10,
    connectTimeoutMS: timeoutMs,
    extra: { statement_timeout: timeoutMs * 2, query_timeout: timeoutMs * 2 },
  });
  registerDialect(dataSource, new PostgresDialect());
  return dataSource;
}
