import { existsSync } from 'node:fs';
import { ConfigError, createLogger, InProcessBus } from '@platform/common';
import { loadAuthConfig, startAuthService } from '@platform/auth';
import { loadUserConfig, startUserService } from '@platform/user';
import { embeddedEnv } from './embedded-env.js';

// The embedded default: both services in one process, SQLite files in DATA_DIR, the in-process bus.
if (existsSync('.env')) process.loadEnvFile('.env');
try {
  const env = embeddedEnv(process.env);
  const authConfig = loadAuthConfig(env.auth);
  const logger = createLogger({ service: 'embedded', level: authConfig.logLevel });
  // With AMQP_URL each service connects to the broker itself; otherwise they share the in-process bus.
  const bus = authConfig.amqp ? undefined : new InProcessBus({ logger });
  const auth = await startAuthService(authConfig, {
    bus,
    logger: logger.child({ service: 'auth-service' }),
  });
  const userConfig = loadUserConfig({
    ...env.user,
    AUTH_JWKS_URL: env.user.AUTH_JWKS_URL ?? `${auth.url}/.well-known/jwks.json`,
  });
  const user = await startUserService(userConfig, {
    bus,
    logger: logger.child({ service: 'user-service' }),
  });

  console.log(`
Auth & user services (embedded default)
  auth service   ${auth.url}   contract: ${auth.url}/openapi.json
  user service   ${user.url}
  data folder    ${authConfig.dataDir} (SQLite: auth.db, user.db; development signing key)
  event bus      ${authConfig.amqp ? `RabbitMQ, queue ${authConfig.amqp.queue}` : 'in-process'}
Press Ctrl+C to stop.
`);
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      if (stopping) return;
      stopping = true;
      void Promise.all([user.stop(), auth.stop()])
        .then(() => bus?.close())
        .then(
          () => process.exit(0),
          (err: unknown) => {
            console.error(err);
            process.exit(1);
          },
        );
    });
  }
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
}
