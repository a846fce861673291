import { existsSync } from 'node:fs';
import { ConfigError, createLogger, InProcessBus, onShutdown } from '@platform/common';
import { loadAuthConfig, startAuthService } from '@platform/auth';
import { createUserMetrics, loadUserConfig, startUserService } from '@platform/user';
import { embeddedEnv } from './embedded-env.js';

// The embedded default: both services in one process, SQLite files in DATA_DIR, the in-process bus.
if (existsSync('.env')) process.loadEnvFile('.env');
try {
  const env = embeddedEnv(process.env);
  const authConfig = loadAuthConfig(env.auth);
  const logger = createLogger({ service: 'embedded', level: authConfig.logLevel });
  // With AMQP_URL each service connects to the broker itself; otherwise they share the in-process bus,
  // whose retries and dead letters are the user service's (its only consumer) to count.
  const userMetrics = createUserMetrics();
  const bus = authConfig.amqp ? undefined : new InProcessBus({ logger, observer: userMetrics.bus });
  const auth = await startAuthService(authConfig, {
    bus,
    logger: createLogger({ service: 'auth-service', level: authConfig.logLevel }),
  });
  const userConfig = loadUserConfig({
    ...env.user,
    AUTH_JWKS_URL: env.user.AUTH_JWKS_URL ?? `${auth.url}/.well-known/jwks.json`,
  });
  const user = await startUserService(userConfig, {
    bus,
    logger: createLogger({ service: 'user-service', level: userConfig.logLevel }),
    metrics: userMetrics,
  });

  console.log(`
Auth & user services (embedded default)
  auth service   ${auth.url}   API docs: ${auth.url}/docs   metrics: ${auth.url}/metrics
  user service   ${user.url}   API docs: ${user.url}/docs   metrics: ${user.url}/metrics
  data folder    ${authConfig.dataDir} (SQLite: auth.db, user.db; development signing key)
  event bus      ${authConfig.amqp ? `RabbitMQ, queue ${authConfig.amqp.queue}` : 'in-process'}
Press Ctrl+C to stop.
`);
  onShutdown({
    logger,
    graceMs: authConfig.shutdownGraceMs,
    // The producer first, then the bus drains into the consumer, then the consumer stops.
    stop: async () => {
      await auth.stop();
      await bus?.close();
      await user.stop();
    },
  });
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
}
