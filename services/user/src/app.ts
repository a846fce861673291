import {
  createOpenApiApp,
  type ServiceHttpOptions,
  loadOpenApi,
  type HandlerMap,
  type Readiness,
  type Registry,
  type UserApi,
} from '@platform/common';
import type Koa from 'koa';
import type { UserDeps } from './deps.js';
import { authenticate, type Principal } from './sessions/principal.js';
import { userHandlers } from './http/handlers.js';

/** Builds the user service's HTTP app from its contract; it never listens, so tests start it on port 0. */
export function createUserApp(
  deps: UserDeps,
  readiness: Readiness,
  metrics: Registry,
  http: ServiceHttpOptions = {},
): Koa {
  const handlers = userHandlers(deps, readiness) satisfies HandlerMap<
    UserApi.operations,
    UserApi.SecuredOperations,
    Principal
  >;
  return createOpenApiApp<UserApi.operations, UserApi.SecuredOperations, Principal>({
    definition: loadOpenApi('user.yaml'),
    handlers,
    security: { bearerAuth: (headers) => authenticate(deps, headers) },
    logger: deps.logger,
    metrics,
    ...http,
  });
}
