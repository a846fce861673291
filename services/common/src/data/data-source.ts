import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DataSource, type EntitySchema, type MixedList } from 'typeorm';
import { deadlineClient } from './deadline.js';
import { registerDialect } from './dialect.js';
import { PostgresDialect } from './postgres-dialect.js';
import { SqliteDialect } from './sqlite-dialect.js';

export interface DataSourceOptions {
  /** `postgres://...` or `sqlite:<path>` (`sqlite::memory:` for a throwaway database). */
  url: string;
  entities: MixedList<EntitySchema>;
  migrations: MixedList<new () => unknown>;
  poolSize?: number;
  /**
   * Milliseconds a statement may take, the wait for a connection or a lock included; within a request
   * (withDatabaseDeadline), all of the request's statements together.
   */
  timeoutMs?: number;
}

/** How often the server looks whether the client of a running statement is still there. */
const CONNECTION_CHECK_MS = 250;

/**
 * One DataSource factory for both databases, and the one place that tells them apart: the URL picks
 * the driver and the data source's dialect (dialectOf), which everything after it asks. Migrations
 * are the only way the schema changes.
 */
/** Each SQLite connection's page cache (KiB). */
const SQLITE_CACHE_KIB = 2048;

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
        // SQLite's page cache is per connection and by default grows to 16 MB as the file does; the
        // operating system caches the file anyway, so each connection keeps only its hottest pages.
        db.pragma(`cache_size = -${SQLITE_CACHE_KIB}`);
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
    // The wait for a pooled connection (or a new one) ...
    connectTimeoutMS: timeoutMs,
    extra: {
      // ... and each statement, on the client (which closes the connection when it gives up) ...
      Client: deadlineClient(timeoutMs),
      // ... and on the server, which also stops a statement whose client has gone.
      statement_timeout: timeoutMs,
      options: `-c client_connection_check_interval=${CONNECTION_CHECK_MS}`,
    },
  });
  registerDialect(dataSource, new PostgresDialect());
  return dataSource;
}
