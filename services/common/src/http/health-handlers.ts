import { errors } from '../errors/app-error.js';

/** What readiness depends on besides the database, as the composition root knows it. */
export interface Readiness {
  /** True once the service has been told to stop (SIGTERM): it takes no new work. */
  draining: () => boolean;
  busHealthy: () => boolean;
}

const OK = { status: 200 as const, body: { status: 'ok' as const } };

/**
 * GET /healthz and GET /readyz, the same in both services: alive is the process answering; ready is
 * not draining, the database answering `ping` and the broker connected (503 otherwise).
 */
export function healthHandlers(ping: () => Promise<void>, readiness: Readiness) {
  return {
    getHealth: async () => OK,
    getReadiness: async () => {
      if (readiness.draining()) throw errors.unavailable('The service is shutting down.');
      try {
        await ping();
      } catch (err) {
        throw errors.unavailable('The database is unreachable.', err);
      }
      if (!readiness.busHealthy()) throw errors.unavailable('The message broker is unreachable.');
      return OK;
    },
  };
}
