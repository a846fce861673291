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

/**
 * Variables the chart sets for the auth and user services ahead of the service code that reads them.
 * MANAGEMENT_PORT (the second listener, for /metrics and the probes) comes with a change of the
 * services made alongside the chart's; until it is merged their loaders do not read it and the
 * services ignore it. Delete an entry once both loaders read it.
 */
export const SET_AHEAD_OF_THE_SERVICES: readonly string[] = ['MANAGEMENT_PORT'];

/** The services' defaults, for what the deployment files must agree with. */
export const SERVICE_DEFAULTS = {
  auth: loadAuthConfig({}),
  user: loadUserConfig({}),
} as const;

export type ServiceName = 'auth' | 'user';
