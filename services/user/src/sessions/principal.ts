import { bearerToken, errors, verifyToken, type PrincipalBase } from '@platform/common';
import type { Profile } from '../profiles/profile-repository.js';
import type { UserDeps } from '../deps.js';

export interface Principal extends PrincipalBase {
  userId: number;
  /** The caller's profile as it was when the request was authenticated; null before it exists. */
  profile: Profile | null;
}

/**
 * Verifies an access token against the auth service's JWKS (no secret is shared between services),
 * then refuses it when its session has been revoked (`Sessions Revoked`: logout, refresh token reuse,
 * deactivation, a role change, "log out everywhere", erasure) or its account erased.
 */
export async function authenticate(
  deps: UserDeps,
  headers: Record<string, string | string[] | undefined>,
): Promise<Principal> {
  const token = bearerToken(headers.authorization);
  let claims = deps.verifiedTokens.get(token);
  if (!claims) {
    claims = await verifyToken(token, 'access', deps.authKeys, deps.token);
    deps.verifiedTokens.set(token, claims);
  }
  const userId = Number(claims.sub);
  // Revocation and the profile in one round trip: both are needed on every request.
  const { revoked, erased, profile } = await deps.store.profiles.callerState(userId, claims.sid);
  // An erased account's tokens are refused even if its Sessions Revoked has not arrived yet.
  if (erased) throw errors.invalidToken('The account no longer exists.');
  // A deactivated account's tokens get the seed's 403, like its profile; other revocations a 401,
  // and so do the ended sessions of an account reactivated since.
  if (revoked === 'deactivation' && profile?.isActive !== true) throw errors.accountInactive();
  if (revoked !== undefined) throw errors.invalidToken('The token has been revoked.');
  return {
    userId,
    profile,
    roles: Array.isArray(claims.roles) ? claims.roles : [claims.role],
    // Signed by the auth service from the session's proof; tokens from before it are a password's.
    aal: claims.aal === 2 ? 2 : 1,
  };
}
