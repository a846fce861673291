import { errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { errors } from '../errors/app-error.js';

/** Every token is signed with Ed25519 (JWS `EdDSA`); no other algorithm is accepted. */
export const TOKEN_ALG = 'EdDSA';

export type TokenType = 'access' | 'refresh';

/** The claims of the platform's JWTs (the seed's, plus `roles`, `sid`, `iss`, `aud`). */
export interface TokenClaims {
  sub: string;
  jti: string;
  type: TokenType;
  sid: string;
  role: string;
  roles: string[];
  iat: number;
  exp: number;
  iss: string;
  aud: string | string[];
}

export interface VerifySettings {
  issuer: string;
  audience: string;
}

/**
 * Checks signature, algorithm, expiry, issuer, audience and the token `type`; throws a 401 AppError
 * that says which. Revocation is the caller's to check (it knows where the blacklist lives).
 */
export async function verifyToken(
  token: string,
  expected: TokenType,
  key: JWTVerifyGetKey,
  settings: VerifySettings,
  now: () => number = Date.now,
): Promise<TokenClaims> {
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, key, {
      algorithms: [TOKEN_ALG],
      issuer: settings.issuer,
      audience: settings.audience,
      currentDate: new Date(now()),
      requiredClaims: ['sub', 'jti', 'exp', 'iat'],
    }));
  } catch (err) {
    if (err instanceof joseErrors.JWTExpired) throw errors.expiredToken();
    if (isKeySourceFailure(err)) {
      throw errors.unavailable('The signing keys could not be fetched.', err);
    }
    throw errors.invalidToken('The token is malformed or its signature is invalid.');
  }
  if (payload.type !== expected) {
    throw errors.invalidToken(
      expected === 'access' ? 'An access token is required.' : 'A refresh token is required.',
    );
  }
  if (typeof payload.sid !== 'string' || !/^[1-9]\d*$/.test(String(payload.sub))) {
    throw errors.invalidToken('The token is malformed or its signature is invalid.');
  }
  return payload as unknown as TokenClaims;
}

/** Extracts the token of an `Authorization: Bearer` header, or throws the 401 for a missing one. */
export function bearerToken(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  const match = /^Bearer[ ]+([A-Za-z0-9_.~+/=-]+)\s*$/i.exec(value ?? '');
  if (!value) throw errors.missingToken();
  if (!match) throw errors.invalidToken('The Authorization header must be "Bearer <token>".');
  return match[1]!;
}

function isKeySourceFailure(err: unknown): boolean {
  return (
    err instanceof joseErrors.JWKSTimeout ||
    (err instanceof Error && !(err instanceof joseErrors.JOSEError)) // fetch failed: network error
  );
}
