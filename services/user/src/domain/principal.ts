import { bearerToken, verifyToken, type PrincipalBase } from '@platform/common';
import type { UserDeps } from './deps.js';

export interface Principal extends PrincipalBase {
  userId: number;
}

/** Verifies an access token against the auth service's JWKS; no secret is shared between services. */
export async function authenticate(
  deps: UserDeps,
  headers: Record<string, string | string[] | undefined>,
): Promise<Principal> {
  const claims = await verifyToken(
    bearerToken(headers.authorization),
    'access',
    deps.authKeys,
    deps.token,
  );
  return {
    userId: Number(claims.sub),
    roles: Array.isArray(claims.roles) ? claims.roles : [claims.role],
  };
}
