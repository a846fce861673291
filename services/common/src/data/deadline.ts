import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';
import type pg from 'pg';

// pg is loaded with the first Postgres data source, not at start-up: SQLite's never need it.
const require = createRequire(import.meta.url);

/** When the database work of the request being served must be over (ms since the epoch). */
const requestDeadline = new AsyncLocalStorage<number>();

/**
 * Runs `work` (a request's handling) with its database work bounded: every statement it sends gets
 * only what is left of `budgetMs` from now, the wait for a pooled connection included, so a request
 * never waits on the database longer than the budget in all.
 */
export function withDatabaseDeadline<T>(budgetMs: number, work: () => Promise<T>): Promise<T> {
  return requestDeadline.run(Date.now() + budgetMs, work);
}

/** The error of a statement that ran out of time; isConnectionError() takes it as the database's. */
const timedOut = () => new Error('Query read timeout: the database did not answer in time');

// pg's query() is a set of overloads; the wrapper passes its arguments through unchanged.
type AnyQuery = (...args: unknown[]) => unknown;

/**
 * The pg client of the pool (`Pool({ Client })`). A statement gets `timeoutMs`, or less when the
 * request it serves has less left (withDatabaseDeadline); when its time is up the connection is
 * closed, not handed back: the statement cannot then finish behind the caller's back (an open
 * transaction rolls back, and the server, checking its client every `client_connection_check_interval`,
 * cancels what still runs), and the next caller does not queue behind it on a busy connection.
 * pg's own query_timeout does neither: it answers the caller and leaves the statement running on a
 * connection that goes back to the pool.
 */
export function deadlineClient(timeoutMs: number): typeof pg.Client {
  const { Client } = require('pg') as typeof pg;
  return class DeadlineClient extends Client {
    constructor(config?: string | pg.ClientConfig) {
      super(config);
      // A connection closed under a statement fails that statement; the client's 'error' event
      // then has nobody else to tell while the connection is checked out of the pool.
      this.on('error', () => undefined);
    }

    override query(...args: unknown[]): never {
      const base = super.query as unknown as AnyQuery;
      const deadline = requestDeadline.getStore();
      const ms = deadline === undefined ? timeoutMs : Math.min(timeoutMs, deadline - Date.now());
      const [config, values, callback] = args as unknown[];
      // Submittables (cursors, streams) and callbacks keep the configured server-side timeout only.
      const promised =
        typeof (config as { submit?: unknown }).submit !== 'function' &&
        typeof values !== 'function' &&
        typeof callback !== 'function';
      if (!promised) return base.apply(this, args) as never;
      if (ms <= 0) return Promise.reject(timedOut()) as never;
      const result = base.apply(this, args) as Promise<unknown>;
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          reject(timedOut());
          this.abandon();
        }, ms);
      });
      return Promise.race([result, expired]).finally(() => clearTimeout(timer)) as never;
    }

    /** Closes the connection under a statement nobody waits for any more. */
    private abandon(): void {
      const connection = (this as unknown as { connection?: { stream?: { destroy(): void } } })
        .connection;
      connection?.stream?.destroy();
    }
  };
}
