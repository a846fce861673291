import { errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { errors, type AppError } from '../errors/app-error.js';

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
  /** Whether the account's address was proven when the token was issued (absent in older tokens). */
  email_verified?: boolean;
  /** How the session's login was proven (RFC 8176: `pwd`, `otp`, `mfa`; absent in older tokens). */
  amr?: string[];
  /** The authenticator assurance level of the session: 1 a password, 2 a second factor too. */
  aal?: number;
  iat: number;
  exp: number;
  iss: string;
  aud: string | string[];
}

/** Every claim a verifier relies on; a token that lacks one is refused even if its signature is good. */
const REQUIRED_CLAIMS = ['iss', 'aud', 'exp', 'iat', 'sub', 'jti', 'type', 'sid'];
/** Ten times the size of any token the platform issues: a longer one is refused before it is parsed. */
const MAX_TOKEN_LENGTH = 4096;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
/** The clock skew tolerated between the issuing and the verifying host when checking `iat`. */
const CLOCK_SKEW_SECONDS = 60;
const MALFORMED = 'The token is malformed or its signature is invalid.';

export interface VerifySettings {
  issuer: string;
  audience: string;
}

/**
 * Checks the signature (EdDSA only, key chosen by `kid`, `crit` extensions refused), the `typ` header,
 * the presence of every claim, expiry, issue time, issuer, audience and the token `type`; throws a 401
 * AppError that says which. Claims are only judged once the signature holds, so a forger learns nothing
 * but "invalid". Revocation is the caller's to check (it knows where the blacklist lives).
 */
export async function verifyToken(
  token: string,
  expected: TokenType,
  key: JWTVerifyGetKey,
  settings: VerifySettings,
  now: () => number = Date.now,
): Promise<TokenClaims> {
  if (token.length > MAX_TOKEN_LENGTH) throw errors.invalidToken('The token is too long.');
  // One spelling per token: three unpadded base64url segments (RFC 7515 §2). Decoders also take
  // padding and other noise, which would let one token be written several ways, and anything keyed
  // on its text (a cache, a log search) see several tokens.
  if (!COMPACT_JWS.test(token)) throw errors.invalidToken(MALFORMED);
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, key, {
      algorithms: [TOKEN_ALG],
      typ: 'JWT',
      issuer: settings.issuer,
      audience: settings.audience,
      currentDate: new Date(now()),
      requiredClaims: REQUIRED_CLAIMS,
    }));
  } catch (err) {
    throw refusal(err);
  }
  if (payload.type !== expected) {
    throw errors.invalidToken(
      expected === 'access' ? 'An access token is required.' : 'A refresh token is required.',
    );
  }
  if ((payload.iat as number) > now() / 1000 + CLOCK_SKEW_SECONDS) {
    throw errors.invalidToken('The token was issued in the future.');
  }
  const { sub, jti, sid } = payload;
  if (typeof sub !== 'string' || !/^[1-9]\d*$/.test(sub) || !isText(jti) || !isText(sid)) {
    throw errors.invalidToken(MALFORMED);
  }
  return payload as unknown as TokenClaims;
}

/** Extracts the token of an `Authorization: Bearer` header, or throws the 401 for a missing one. */
export function bearerToken(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  const match = /^Bearer[ ]+([A-Za-z0-9_.~+/=-]+)\s*$/i.exec(value ?? '');
  if (!value) throw errors.missingToken();
  // No double quotes: the detail is also the challenge's quoted error_description (RFC 6750 §3).
  if (!match) throw errors.invalidToken('The Authorization header must be `Bearer <token>`.');
  return match[1]!;
}

/** The 401 (or, when the keys could not be fetched, 503) for a token jose refused. */
function refusal(err: unknown): AppError {
  if (err instanceof joseErrors.JWTExpired) return errors.expiredToken();
  if (isKeySourceFailure(err)) {
    return errors.unavailable('The signing keys could not be fetched.', err);
  }
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    if (err.claim === 'typ') return errors.invalidToken('The token header typ must be JWT.');
    return errors.invalidToken(
      err.reason === 'missing'
        ? `The token has no ${err.claim} claim.`
        : `The token's ${err.claim} claim is not accepted.`,
    );
  }
  return errors.invalidToken(MALFORMED);
}

const isText = (value: unknown): value is string => typeof value === 'string' && value !== '';

function isKeySourceFailure(err: unknown): boolean {
  return (
    err instanceof joseErrors.JWKSTimeout ||
    (err instanceof Error && !(err instanceof joseErrors.JOSEError)) // fetch failed: network error
  );
}
