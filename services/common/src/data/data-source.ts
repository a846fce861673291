import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DataSource, type EntitySchema, type MixedList } from 'typeorm';

export interface DataSourceOptions {
  /** `postgres://...` or `sqlite:<path>` (`sqlite::memory:` for a throwaway database). */
  url: string;
  entities: MixedList<EntitySchema>;
  migrations: MixedList<new () => unknown>;
  poolSize?: number;
  /** Milliseconds a query may wait for a connection or a lock before it fails. */
  timeoutMs?: number;
}

export type DatabaseKind = 'postgres' | 'sqlite';

export function databaseKind(url: string): DatabaseKind {
  return url.startsWith('sqlite:') ? 'sqlite' : 'postgres';
}

/** One DataSource factory for both databases; migrations are the only way the schema changes. */
export function createDataSource(opts: DataSourceOptions): DataSource {
  const timeoutMs = opts.timeoutMs ?? 5000;
  const common = {
    entities: opts.entities,
    migrations: opts.migrations as MixedList<string | (new () => never)>,
    synchronize: false,
    migrationsTransactionMode: 'each' as const,
  };
  if (databaseKind(opts.url) === 'sqlite') {
    const file = opts.url.slice('sqlite:'.length);
    if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    return new DataSource({
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
  }
  return new DataSource({
    ...common,
    type: 'postgres',
    url: opts.url,
    poolSize: opts.poolSize ?? 10,
    connectTimeoutMS: timeoutMs,
    extra: { statement_timeout: timeoutMs * 2, query_timeout: timeoutMs * 2 },
  });
}

/** Readiness probe query. */
export async function ping(dataSource: DataSource): Promise<void> {
  await dataSource.query('SELECT 1');
}
