import {
  decodeJwt,
  decodeProtectedHeader,
  generateKeyPair,
  importJWK,
  SignJWT,
  type JWTPayload,
} from 'jose';
import type { Stack } from './stack.js';

export interface ForgeOptions {
  /** Claims that replace (or, when undefined, remove) those of the real token. */
  claims?: JWTPayload & Record<string, unknown>;
  /** Sign with a fresh key that has the real key's kid instead of the stack's key. */
  foreignKey?: boolean;
}

/**
 * Re-signs a real token of the stack with the claims changed: everything else (iss, aud, sub, sid,
 * jti, type, roles and the header) is copied, so a test changes one thing only.
 */
export async function forgeToken(
  stack: Stack,
  realToken: string,
  opts: ForgeOptions = {},
): Promise<string> {
  const header = decodeProtectedHeader(realToken);
  const claims: Record<string, unknown> = { ...decodeJwt(realToken), ...opts.claims };
  for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
  const stackKey = stack.signingKey;
  const key = opts.foreignKey
    ? (await generateKeyPair('EdDSA', { crv: 'Ed25519' })).privateKey
    : await importJWK(stackKey, 'EdDSA');
  return new SignJWT(claims)
    .setProtectedHeader({ ...header, alg: 'EdDSA', kid: stackKey.kid })
    .sign(key);
}

/** The same token, expired a minute ago (issued an hour before that). */
export function expiredToken(stack: Stack, realToken: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return forgeToken(stack, realToken, { claims: { iat: now - 3660, exp: now - 60 } });
}
