import { createPrivateKey, randomUUID, type KeyObject } from 'node:crypto';
import {
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  type JWK,
  type JWTVerifyGetKey,
} from 'jose';
import { TOKEN_ALG } from '@platform/common';

/** A private Ed25519 key as a JWK, as configured in JWT_PRIVATE_KEYS. */
export interface PrivateJwk extends JWK {
  kty: 'OKP';
  crv: 'Ed25519';
  d: string;
  x: string;
  kid: string;
}

export interface KeyRing {
  signingKid: string;
  /** The signing key as node:crypto holds it: tokens are signed in the call, not as a WebCrypto job. */
  signingKey: KeyObject;
  /** Public halves of every configured key: the one that signs and those kept to verify during rotation. */
  jwks: { keys: JWK[] };
  verifyKey: JWTVerifyGetKey;
}

export function isPrivateJwk(value: unknown): value is PrivateJwk {
  const jwk = value as Partial<PrivateJwk> | null;
  return (
    typeof jwk === 'object' &&
    jwk !== null &&
    jwk.kty === 'OKP' &&
    jwk.crv === 'Ed25519' &&
    typeof jwk.d === 'string' &&
    typeof jwk.x === 'string' &&
    typeof jwk.kid === 'string' &&
    jwk.kid.length > 0
  );
}

export async function generatePrivateJwk(kid: string = randomUUID()): Promise<PrivateJwk> {
  const { privateKey } = await generateKeyPair(TOKEN_ALG, { crv: 'Ed25519', extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid, alg: TOKEN_ALG, use: 'sig' } as PrivateJwk;
}

/** Builds the key ring; the first key signs unless `signingKid` names another. */
export async function loadKeyRing(
  keys: readonly PrivateJwk[],
  signingKid?: string,
): Promise<KeyRing> {
  const signer = signingKid ? keys.find((k) => k.kid === signingKid) : keys[0];
  if (!signer) throw new Error(`No configured key has kid "${signingKid ?? ''}"`);
  const publicKeys = keys.map(({ kty, crv, x, kid }) => ({
    kty,
    crv,
    x,
    kid,
    alg: TOKEN_ALG,
    use: 'sig',
  }));
  const jwks = { keys: publicKeys };
  return {
    signingKid: signer.kid,
    signingKey: createPrivateKey({
      key: { kty: signer.kty, crv: signer.crv, d: signer.d, x: signer.x },
      format: 'jwk',
    }),
    jwks,
    verifyKey: createLocalJWKSet(jwks),
  };
}
