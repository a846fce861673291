import { EnvReader, readSharedConfig } from '@platform/common';
import { loadAuthConfig } from '@platform/auth';
import { loadCleanupConfig } from '../../services/auth/src/config.js';
import { readMailSettings } from '../../services/auth/src/mail/mail-config.js';
import { loadUserConfig } from '@platform/user';
import { variablesRead as read } from '../support/env-variables.js';

/**
 * The courier (`node services/auth/dist/cli/courier.js`) has no settings loader yet: until it has,
 * what it is built from (the shared settings: the database, logging, shutdown; the mail settings) and
 * COURIER_PORT, the port of its /healthz, /readyz and /metrics. Replace with read(loadCourierConfig).
 */
const courierVariables = () => {
  const seen = read((source) => {
    const env = new EnvReader(source);
    readMailSettings(env, readSharedConfig(env, { port: 8002, database: 'auth.db' }));
  });
  seen.add('COURIER_PORT');
  return seen;
};

/** Every environment variable each service reads. */
export const SERVICE_ENV = {
  auth: read(loadAuthConfig),
  user: read(loadUserConfig),
  /** The auth service's cleanup command (its CronJob). */
  cleanup: read(loadCleanupConfig),
  /** The auth service's mail courier (its Deployment). */
  courier: courierVariables(),
} as const;

/** The services' defaults, for what the deployment files must agree with. */
export const SERVICE_DEFAULTS = {
  auth: loadAuthConfig({}),
  user: loadUserConfig({}),
} as const;

export type ServiceName = 'auth' | 'user';
