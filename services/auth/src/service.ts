import {
  createBus,
  createLogger,
  createMetricsRegistry,
  listenService,
  serviceHttpOptions,
  PollLoop,
  prepareSchema,
  type EventBus,
  type Logger,
  type Registry,
} from '@platform/common';
import type { DataSource } from 'typeorm';
import { createAuthApp } from './app.js';
import type { AuthConfig } from './config.js';
import { authDataSource } from './data/data-source.js';
import { Store } from './data/store.js';
import { ensureAdmin } from './accounts/registration.js';
import { auditTrail } from './audit/audit-trail.js';
import { CleanupTimer } from './maintenance/cleanup-timer.js';
import type { AuthDeps } from './deps.js';
import { devSigningKey } from './sessions/dev-key.js';
import { noAuthMetrics, type AuthMetrics } from './metrics/metrics.js';
import { createPasswordPolicy } from './accounts/password-policy.js';
import { PasswordHasher } from './accounts/passwords.js';
import { loadKeyRing } from './sessions/signing-keys.js';
import { TokenService } from './sessions/tokens.js';
import { createThrottle } from './throttle/throttle-config.js';
import { OutboxRelay } from './outbox/outbox-relay.js';
import { Courier } from './mail/courier.js';
import { createMailTransport } from './mail/create-transport.js';
import { registerMailMetrics } from './mail/mail-metrics.js';
import { resolveResetRequests } from './recovery/password-reset.js';
import { authMetrics, registerAuthGauges } from './metrics/auth-metrics.js';
import { derivedKeyring } from './factors/mfa-config.js';
import { SecretBox } from './factors/secret-box.js';
import { factorRule } from './throttle/factor-attempts.js';

/** How often forgot-password requests are resolved: a mail is on its way within about this long. */
const RESET_REQUEST_POLL_MS = 250;

export interface AuthService {
  url: string;
  /** Where /metrics is served: the management port's URL with MANAGEMENT_PORT, else `url`'s. */
  metricsUrl: string;
  deps: AuthDeps;
  relay: OutboxRelay;
  /** Resolves forgot-password requests (looks the address up, queues a link). */
  resetRequests: PollLoop;
  bus: EventBus;
  dataSource: DataSource;
  /** This instance's metrics, served on GET /metrics. */
  registry: Registry;
  /** Stops taking requests, publishes what is pending, closes the broker and the database. */
  stop(): Promise<void>;
}

/** Opens the database (migrating it when configured to), the keys and the relay, without listening. */
export async function buildAuthService(
  config: AuthConfig,
  bus: EventBus,
  logger: Logger,
  metrics: AuthMetrics = noAuthMetrics,
) {
  const dataSource = authDataSource(config.databaseUrl, {
    poolSize: config.databasePoolSize,
    timeoutMs: config.databaseTimeoutMs,
  });
  await dataSource.initialize();
  await prepareSchema(dataSource, config.migrateOnStart, logger);

  let keys = config.signingKeys;
  if (keys.length === 0) {
    const dev = await devSigningKey(config.dataDir);
    logger.warn(
      { file: dev.file, kid: dev.key.kid },
      dev.created ? 'created a development signing key' : 'using the development signing key',
    );
    keys = [dev.key];
  }
  const ring = await loadKeyRing(keys, config.signingKid);
  let mfaKeyring = config.mfa.keyring;
  if (!mfaKeyring) {
    logger.warn(
      'MFA_ENCRYPTION_KEYS is not set: TOTP secrets are sealed with a key derived from the signing key',
    );
    mfaKeyring = derivedKeyring(keys.find((k) => k.kid === ring.signingKid)!.d);
  }
  const store = new Store(dataSource);
  const relay = new OutboxRelay({ store, bus, logger, pollMs: config.outboxPollMs, metrics });
  // The workers that pick up what a commit wrote, once startAuthService has started them.
  const wake = { mails: () => undefined as void };
  const deps: AuthDeps = {
    store,
    tokens: new TokenService(
      {
        issuer: config.issuer,
        audience: config.audience,
        accessTtlSeconds: config.accessTtlSeconds,
        refreshTtlSeconds: config.refreshTtlSeconds,
        sessionMaxLifetimeSeconds: config.sessionMaxLifetimeSeconds,
      },
      { kid: ring.signingKid, key: ring.signingKey },
      ring.verifyKey,
    ),
    passwords: new PasswordHasher(config.argon2, metrics),
    // Built here, at start-up: the nist policy indexes its list of common passwords once.
    passwordPolicy: createPasswordPolicy(config.passwordPolicy),
    eventsWritten: () => relay.wake(),
    databaseTimeoutMs: config.databaseTimeoutMs,
    mailsWritten: () => wake.mails(),
    recovery: config.recovery,
    sessions: config.sessions,
    webauthn: config.webauthn,
    logger,
    metrics,
    audit: auditTrail(store.repos.audit, logger),
    mfa: { settings: config.mfa, box: new SecretBox(mfaKeyring) },
    throttle: createThrottle({
      settings: config.throttle,
      factorRule: factorRule(config.mfa),
      dataSource,
      keys,
      signingKid: ring.signingKid,
      metrics,
      audit: auditTrail(store.repos.audit, logger),
      logger,
    }),
  };
  return { dataSource, deps, relay, wake, jwks: ring.jwks };
}

export async function startAuthService(
  config: AuthConfig,
  opts: { bus?: EventBus; logger?: Logger; registry?: Registry } = {},
): Promise<AuthService> {
  const logger = opts.logger ?? createLogger({ service: 'auth-service', level: config.logLevel });
  const registry = opts.registry ?? createMetricsRegistry();
  const metrics = authMetrics(registry);
  // A (re)connected broker wakes the relay, so events held back during an outage go out at once.
  const connected = { wake: () => undefined as void };
  const bus = opts.bus ?? createBus(config, logger, { onConnect: () => connected.wake() });
  const { dataSource, deps, jwks, relay, wake } = await buildAuthService(
    config,
    bus,
    logger,
    metrics,
  );
  registerAuthGauges(registry, deps.store, logger);
  connected.wake = () => relay.wake();
  if (config.admin) {
    const { account, created } = await ensureAdmin(deps, config.admin);
    logger.info(
      { userId: account.id, login: account.login, created },
      'administrator ensured from ADMIN_* settings',
    );
  }
  relay.start();
  const mailMetrics = registerMailMetrics(registry, deps.store, logger);
  const courier = config.mail.courierInProcess
    ? new Courier({
        store: deps.store,
        transport: createMailTransport(config.mail, logger),
        from: config.mail.from,
        logger,
        pollMs: config.mail.pollMs,
        maxAttempts: config.mail.maxAttempts,
        metrics: mailMetrics,
      })
    : undefined;
  // Woken once the answer is on its way, not within the request that caused it: what a request
  // sets off (resolving a forgot-password request, delivering its mail) must not add to its answer's
  // time, or the time would tell whether an address is registered.
  wake.mails = () => void setImmediate(() => courier?.wake());
  courier?.start();
  // Polled, never woken by the request: when the work of a known address happens must not be tied
  // to its request, or the time of that request (or of the next) would tell the address is known.
  const resetRequests = new PollLoop({
    name: 'password reset requests',
    pass: () => resolveResetRequests(deps),
    pollMs: RESET_REQUEST_POLL_MS,
    logger,
  });
  resetRequests.start();
  // Where no CronJob runs the cleanup (the embedded default), the service does it itself.
  const cleanupTimer =
    config.cleanupIntervalMs > 0
      ? new CleanupTimer({
          store: deps.store,
          logger,
          intervalMs: config.cleanupIntervalMs,
          metrics,
        })
      : undefined;
  cleanupTimer?.start();
  let draining = false;
  const readiness = { draining: () => draining, busHealthy: () => bus.healthy() };
  const app = createAuthApp(deps, jwks, readiness, registry, serviceHttpOptions(config));
  const servers = await listenService(app, config, {
    ...readiness,
    ping: () => deps.store.ping(),
    registry,
    name: 'auth service',
  });
  const server = servers.api;
  logger.info(
    {
      url: server.url,
      docs: `${server.url}/docs`,
      metrics: servers.metricsUrl,
      broker: config.amqp ? config.amqp.queue : 'in-process',
      passwordPolicy: deps.passwordPolicy.describe(),
    },
    'auth service listening',
  );
  return {
    url: server.url,
    metricsUrl: servers.metricsUrl,
    deps,
    relay,
    resetRequests,
    bus,
    dataSource,
    registry,
    stop: async () => {
      draining = true;
      await new Promise((resolve) => setTimeout(resolve, config.shutdownDelayMs));
      await servers.close();
      await cleanupTimer?.stop();
      await resetRequests.stop();
      await relay.stop();
      await courier?.stop();
      if (!opts.bus) await bus.close();
      await dataSource.destroy();
    },
  };
}
