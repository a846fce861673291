import { loadAuthConfig } from '@platform/auth';
import { loadDatabaseConfig, loadCourierConfig } from '../../services/auth/src/config.js';
import { loadUserConfig } from '@platform/user';
import { variablesRead as read } from '../support/env-variables.js';

/** Every environment variable each service reads. */
export const SERVICE_ENV = {
  auth: read(loadAuthConfig),
  user: read(loadUserConfig),
  /** The auth service's cleanup command (its CronJob). */
  cleanup: read(loadDatabaseConfig),
  /** The migration commands (their hook Jobs): the database alone. */
  migrate: read(loadDatabaseConfig),
  /** The auth service's mail courier (its Deployment). */
  courier: read(loadCourierConfig),
} as const;

/** The services' defaults, for what the deployment files must agree with. */
export const SERVICE_DEFAULTS = {
  auth: loadAuthConfig({}),
  user: loadUserConfig({}),
} as const;

export type ServiceName = 'auth' | 'user';
