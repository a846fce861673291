import { errors, type AuthApi, type Handler } from '@platform/common';
import type { AuthDeps } from '../../deps.js';
import type { Principal } from '../../sessions/principal.js';

type Op = AuthApi.operations;

export interface Readiness {
  draining: () => boolean;
  busHealthy: () => boolean;
}

export function operationsHandlers(deps: AuthDeps, jwks: { keys: object[] }, readiness: Readiness) {
  const getJwks: Handler<Op['getJwks'], Principal> = async () => ({
    status: 200,
    body: jwks as Op['getJwks']['responses'][200]['content']['application/json'],
    headers: { 'Cache-Control': 'public, max-age=300' },
  });

  const getHealth: Handler<Op['getHealth'], Principal> = async () => ({
    status: 200,
    body: { status: 'ok' },
  });

  const getReadiness: Handler<Op['getReadiness'], Principal> = async () => {
    if (readiness.draining()) throw errors.unavailable('The service is shutting down.');
    try {
      await deps.store.ping();
    } catch (err) {
      throw errors.unavailable('The database is unreachable.', err);
    }
    if (!readiness.busHealthy()) throw errors.unavailable('The message broker is unreachable.');
    return { status: 200, body: { status: 'ok' } };
  };

  return { getJwks, getHealth, getReadiness };
}
