import {
  createBus,
  createLogger,
  listenService,
  serviceHttpOptions,
  prepareSchema,
  type EventBus,
  type Logger,
  type Registry,
} from '@platform/common';
import { createRemoteJWKSet } from 'jose';
import type { DataSource } from 'typeorm';
import { createUserApp } from './app.js';
import type { UserConfig } from './config.js';
import { Store, userDataSource } from './data/store.js';
import type { UserDeps } from './deps.js';
import { VerifiedTokens } from './sessions/verified-tokens.js';
import { UserInfoConsumer } from './events/user-info-consumer.js';
import { createUserMetrics, type UserMetrics } from './metrics/user-metrics.js';

export interface UserService {
  url: string;
  /** Where /metrics is served: the management port's URL with MANAGEMENT_PORT, else `url`'s. */
  metricsUrl: string;
  deps: UserDeps;
  bus: EventBus;
  dataSource: DataSource;
  /** This instance's metrics, served on GET /metrics. */
  registry: Registry;
  stop(): Promise<void>;
}

export async function startUserService(
  config: UserConfig,
  opts: {
    /** A bus shared with others (the embedded default); give it `metrics.bus` as its observer. */
    bus?: EventBus;
    logger?: Logger;
    metrics?: UserMetrics;
  } = {},
): Promise<UserService> {
  const logger = opts.logger ?? createLogger({ service: 'user-service', level: config.logLevel });
  const metrics = opts.metrics ?? createUserMetrics();
  const dataSource = userDataSource(config.databaseUrl, {
    poolSize: config.databasePoolSize,
    timeoutMs: config.databaseTimeoutMs,
  });
  await dataSource.initialize();
  await prepareSchema(dataSource, config.migrateOnStart, logger);
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
    verifiedTokens: new VerifiedTokens(config.tokenCacheSize),
    logger,
  };
  const bus =
    opts.bus ??
    createBus(config, logger, {
      prefetch: config.prefetch,
      maxAttempts: config.eventMaxAttempts,
      observer: metrics.bus,
    });
  await bus.subscribe(new UserInfoConsumer(store, logger, metrics.consumer));
  let draining = false;
  const readiness = { draining: () => draining, busHealthy: () => bus.healthy() };
  const app = createUserApp(deps, readiness, metrics.registry, serviceHttpOptions(config));
  const servers = await listenService(app, config, {
    ...readiness,
    ping: () => deps.store.ping(),
    registry: metrics.registry,
    name: 'user service',
  });
  const server = servers.api;
  logger.info(
    {
      url: server.url,
      docs: `${server.url}/docs`,
      metrics: servers.metricsUrl,
      jwks: config.authJwksUrl,
      broker: config.amqp ? config.amqp.queue : 'in-process',
    },
    'user service listening',
  );
  return {
    url: server.url,
    metricsUrl: servers.metricsUrl,
    deps,
    bus,
    dataSource,
    registry: metrics.registry,
    stop: async () => {
      draining = true;
      await new Promise((resolve) => setTimeout(resolve, config.shutdownDelayMs));
      await servers.close();
      if (!opts.bus) await bus.close();
      await dataSource.destroy();
    },
  };
}
