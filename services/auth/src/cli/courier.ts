import { existsSync } from 'node:fs';
import {
  createLogger,
  createManagementApp,
  createMetricsRegistry,
  listen,
  onShutdown,
} from '@platform/common';
import { loadCourierConfig } from '../config.js';
import { authDataSource } from '../data/data-source.js';
import { Store } from '../data/store.js';
import { Courier } from '../mail/courier.js';
import { createMailTransport } from '../mail/create-transport.js';
import { registerMailMetrics } from '../mail/mail-metrics.js';
import { describeError } from './describe-error.js';

// npm run courier — node services/auth/dist/cli/courier.js, the entry point of the courier
// Deployment: delivers the auth service's mail queue (DATABASE_URL, or DATA_DIR's auth.db) over
// SMTP_URL, beside other replicas, and answers /healthz, /readyz and /metrics on COURIER_PORT.
// SIGTERM: not ready, the mail in flight finished, the rest handed back, then exit 0.
if (existsSync('.env')) process.loadEnvFile('.env');
try {
  const config = loadCourierConfig(process.env);
  const logger = createLogger({ service: 'courier', level: config.logLevel });
  const dataSource = authDataSource(config.databaseUrl, {
    poolSize: 2,
    timeoutMs: config.databaseTimeoutMs,
  });
  await dataSource.initialize();
  if (await dataSource.showMigrations()) {
    await dataSource.destroy();
    throw new Error('the database has pending migrations; run `npm run migrate:auth` first');
  }
  const store = new Store(dataSource);
  const registry = createMetricsRegistry();
  const courier = new Courier({
    store,
    transport: createMailTransport(config.mail, logger),
    from: config.mail.from,
    logger,
    pollMs: config.mail.pollMs,
    maxAttempts: config.mail.maxAttempts,
    metrics: registerMailMetrics(registry, store, logger),
  });
  let draining = false;
  const app = createManagementApp({
    ping: () => store.ping(),
    draining: () => draining,
    registry,
    databaseTimeoutMs: config.databaseTimeoutMs,
    name: 'courier',
  });
  const server = await listen(app, config.port, config.host, config.http);
  courier.start();
  logger.info(
    {
      url: server.url,
      // The host only: the URL may carry the SMTP password.
      smtp: config.mail.smtpUrl ? new URL(config.mail.smtpUrl).host : undefined,
      mailDir: config.mail.smtpUrl ? undefined : config.mail.mailDir,
    },
    'courier delivering',
  );
  onShutdown({
    logger,
    graceMs: config.shutdownGraceMs,
    stop: async () => {
      draining = true;
      await courier.stop();
      await new Promise((resolve) => setTimeout(resolve, config.shutdownDelayMs));
      await server.close();
      await dataSource.destroy();
    },
  });
} catch (err) {
  console.error(`courier failed to start: ${describeError(err)}`);
  process.exit(1);
}
