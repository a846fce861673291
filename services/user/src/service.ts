import { createLogger, InProcessBus, listen, type EventBus, type Logger } from '@platform/common';
import { createRemoteJWKSet } from 'jose';
import type { DataSource } from 'typeorm';
import { createUserApp } from './app.js';
import type { UserConfig } from './config.js';
import { Store, userDataSource } from './data/store.js';
import type { UserDeps } from './domain/deps.js';
import { UserInfoConsumer } from './events/user-info-consumer.js';

export interface UserService {
  url: string;
  deps: UserDeps;
  dataSource: DataSource;
  stop(): Promise<void>;
}

export async function startUserService(
  config: UserConfig,
  opts: { bus?: EventBus; logger?: Logger } = {},
): Promise<UserService> {
  const logger = opts.logger ?? createLogger({ service: 'user-service', level: config.logLevel });
  const bus = opts.bus ?? new InProcessBus({ logger });
  const dataSource = userDataSource(config.databaseUrl, config.databasePoolSize);
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  const store = new Store(dataSource);
  const deps: UserDeps = {
    store,
    // Refetched on an unknown kid (key rotation), at most every 30 s; cached for 10 minutes otherwise.
    authKeys: createRemoteJWKSet(new URL(config.authJwksUrl), {
      timeoutDuration: 2000,
      cooldownDuration: 30_000,
      cacheMaxAge: 600_000,
    }),
    token: { issuer: config.issuer, audience: config.audience },
    logger,
  };
  await bus.subscribe(new UserInfoConsumer(store, logger));
  let draining = false;
  const server = await listen(
    createUserApp(deps, { draining: () => draining }),
    config.port,
    config.host,
  );
  logger.info({ url: server.url, jwks: config.authJwksUrl }, 'user service listening');
  return {
    url: server.url,
    deps,
    dataSource,
    stop: async () => {
      draining = true;
      await server.close();
      await dataSource.destroy();
    },
  };
}
