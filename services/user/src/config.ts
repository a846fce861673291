import { EnvReader, readSharedConfig, type EnvSource, type SharedConfig } from '@platform/common';

export interface UserConfig extends SharedConfig {
  authJwksUrl: string;
  /** Messages handled at once (RabbitMQ prefetch). */
  prefetch: number;
  /** Deliveries of a failing event before it is dead-lettered. */
  eventMaxAttempts: number;
  issuer: string;
  audience: string;
  /** Verified access tokens kept in memory (0: verify every time). */
  tokenCacheSize: number;
}

export function loadUserConfig(source: EnvSource): Readonly<UserConfig> {
  const env = new EnvReader(source);
  const shared = readSharedConfig(env, { port: 8001, database: 'user.db' });
  return env.done({
    ...shared,
    authJwksUrl: env.url('AUTH_JWKS_URL', {
      default: 'http://127.0.0.1:8000/.well-known/jwks.json',
      protocols: ['http:', 'https:'],
    }),
    prefetch: env.int('AMQP_PREFETCH', { default: 20, min: 1, max: 1000 }),
    eventMaxAttempts: env.int('EVENT_MAX_ATTEMPTS', { default: 5, min: 1, max: 100 }),
    issuer: env.string('JWT_ISSUER', { default: 'auth-service' }),
    audience: env.string('JWT_AUDIENCE', { default: 'auth-user-platform' }),
    tokenCacheSize: env.int('TOKEN_CACHE_SIZE', { default: 10_000, min: 0, max: 1_000_000 }),
  });
}
