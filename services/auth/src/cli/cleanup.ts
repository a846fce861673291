import { loadDatabaseConfig } from '../config.js';
import { authDataSource } from '../data/data-source.js';
import { Store } from '../data/store.js';
import { cleanup } from '../maintenance/cleanup.js';
import { describeError } from './describe-error.js';

// npm run cleanup — node services/auth/dist/cli/cleanup.js, the entry point of the cleanup CronJob.
// Deletes expired blacklist entries, sessions and brute-force counters and old sent outbox events
// from DATABASE_URL (or DATA_DIR's auth.db), prints one JSON line with the rows deleted per table
// (token_blacklist, sessions, outbox, login_throttle, mail_tokens, mfa_tokens, mail_queue,
// webauthn_challenges) and exits 0; on failure it prints why to stderr and exits 1. Safe beside the
// running service and beside another run.
try {
  const config = loadDatabaseConfig(process.env);
  const dataSource = authDataSource(config.databaseUrl, {
    poolSize: 1,
    timeoutMs: config.databaseTimeoutMs,
  });
  await dataSource.initialize();
  try {
    if (await dataSource.showMigrations()) {
      throw new Error('the database has pending migrations; run `npm run migrate:auth` first');
    }
    const started = performance.now();
    const deleted = await cleanup(new Store(dataSource));
    console.log(
      JSON.stringify({
        deleted,
        duration_ms: Math.round(performance.now() - started),
        finished_at: new Date().toISOString(),
      }),
    );
  } finally {
    await dataSource.destroy();
  }
} catch (err) {
  console.error(`cleanup failed: ${describeError(err)}`);
  process.exit(1);
}
