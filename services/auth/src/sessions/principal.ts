import { bearerToken, errors, type PrincipalBase } from '@platform/common';
import type { AuthDeps } from '../deps.js';
import { assertSessionMeetsPolicy } from '../factors/mfa-policy.js';

/** The verified caller of a protected operation. */
export interface Principal extends PrincipalBase {
  userId: number;
  jti: string;
  sid: string;
  exp: number;
  /** The session's assurance level (1 a password, 2 a second factor too). */
  aal: 1 | 2;
}

/**
 * Verifies an access token end to end: signature and claims, blacklist, session, and the account's
 * current state. Roles come from the database, so a role change applies at once.
 */
export async function authenticate(
  deps: AuthDeps,
  headers: Record<string, string | string[] | undefined>,
): Promise<Principal> {
  const claims = await deps.tokens.verify(bearerToken(headers.authorization), 'access');
  const { sessions, accounts } = deps.store.repos;
  const { blacklisted, session } = await sessions.tokenState(claims.jti, claims.sid);
  if (blacklisted || !session || session.revokedAt)
    throw errors.invalidToken('The token has been revoked.');
  const account = await accounts.findById(Number(claims.sub));
  if (!account) throw errors.invalidToken('The account no longer exists.');
  if (!account.isActive) throw errors.accountInactive();
  assertSessionMeetsPolicy(deps, account, session.proof);
  return {
    userId: account.id,
    roles: account.roles,
    jti: claims.jti,
    sid: claims.sid,
    exp: claims.exp,
    aal: session.proof.aal,
  };
}
