import { EnvReader, readSharedConfig, type EnvSource, type SharedConfig } from '@platform/common';

export interface UserConfig extends SharedConfig {
  databasePoolSize: number;
  authJwksUrl: string;
  issuer: string;
  audience: string;
}

export function loadUserConfig(source: EnvSource): Readonly<UserConfig> {
  const env = new EnvReader(source);
  const shared = readSharedConfig(env, { port: 8001, database: 'user.db' });
  return env.done({
    ...shared,
    databasePoolSize: env.int('DATABASE_POOL_SIZE', { default: 10, min: 1, max: 200 }),
    authJwksUrl: env.url('AUTH_JWKS_URL', {
      default: 'http://127.0.0.1:8000/.well-known/jwks.json',
      protocols: ['http:', 'https:'],
    }),
    issuer: env.string('JWT_ISSUER', { default: 'auth-service' }),
    audience: env.string('JWT_AUDIENCE', { default: 'auth-user-platform' }),
  });
}
