import { healthHandlers, type AuthApi, type Readiness } from '@platform/common';
import type { AuthDeps } from '../../deps.js';
import type { AuthHandler } from './auth-handler.js';

type Jwks = AuthApi.operations['getJwks']['responses'][200]['content']['application/json'];

export function operationsHandlers(deps: AuthDeps, jwks: { keys: object[] }, readiness: Readiness) {
  const getJwks: AuthHandler<'getJwks'> = async () => ({
    status: 200,
    body: jwks as Jwks,
    headers: { 'Cache-Control': 'public, max-age=300' },
  });

  return { getJwks, ...healthHandlers(() => deps.store.ping(), readiness) };
}
