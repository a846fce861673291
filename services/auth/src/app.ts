import {
  createOpenApiApp,
  type ServiceHttpOptions,
  loadOpenApi,
  type AuthApi,
  type HandlerMap,
  type Readiness,
  type Registry,
} from '@platform/common';
import type Koa from 'koa';
import type { AuthDeps } from './deps.js';
import { authenticate, type Principal } from './sessions/principal.js';
import { erasureHandlers } from './http/handlers/erasure-handlers.js';
import { accountHandlers } from './http/handlers/account-handlers.js';
import { challengeHandlers } from './http/handlers/challenge-handlers.js';
import { factorHandlers } from './http/handlers/factor-handlers.js';
import { operationsHandlers } from './http/handlers/operations-handlers.js';
import { mySessionsHandlers } from './http/handlers/my-sessions-handlers.js';
import { passkeyHandlers } from './http/handlers/passkey-handlers.js';
import { operatorHandlers } from './http/handlers/operator-handlers.js';
import { recoveryHandlers } from './http/handlers/recovery-handlers.js';
import { sessionHandlers } from './http/handlers/session-handlers.js';

/** Builds the auth service's HTTP app from its contract; it never listens, so tests start it on port 0. */
export function createAuthApp(
  deps: AuthDeps,
  jwks: { keys: object[] },
  readiness: Readiness,
  metrics: Registry,
  http: ServiceHttpOptions = {},
): Koa {
  const handlers = {
    ...sessionHandlers(deps),
    ...mySessionsHandlers(deps),
    ...accountHandlers(deps),
    ...erasureHandlers(deps),
    ...challengeHandlers(deps),
    ...recoveryHandlers(deps),
    ...factorHandlers(deps),
    ...passkeyHandlers(deps),
    ...operatorHandlers(deps),
    ...operationsHandlers(deps, jwks, readiness),
  } satisfies HandlerMap<AuthApi.operations, AuthApi.SecuredOperations, Principal>;

  return createOpenApiApp<AuthApi.operations, AuthApi.SecuredOperations, Principal>({
    definition: loadOpenApi('auth.yaml'),
    handlers,
    security: { bearerAuth: (headers) => authenticate(deps, headers) },
    logger: deps.logger,
    metrics,
    ...http,
    // A body that breaks the contract never reaches registerAccount; it is an invalid registration too.
    onValidationFailed: (operationId) => {
      if (operationId === 'register') deps.metrics.registration('invalid');
    },
  });
}
