import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  type KeyObject,
} from 'node:crypto';
import {
  CompactEncrypt,
  decodeJwt,
  decodeProtectedHeader,
  generateKeyPair,
  SignJWT,
  type JWK,
  type JWTPayload,
} from 'jose';
import type { Stack } from './stack.js';

type Fields = Record<string, unknown>;

export interface ForgeOptions {
  /** Claims that replace (or, when undefined, remove) those of the real token. */
  claims?: JWTPayload & Fields;
  /** Header parameters that replace (or, when undefined, remove) those of the real token. */
  header?: Fields;
  /** Sign with a fresh key that has the real key's kid instead of the stack's key. */
  foreignKey?: boolean;
}

const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** `base` with `changes` applied; an undefined value removes the field. */
function changed(base: Fields, changes: Fields = {}): Fields {
  const merged: Fields = { ...base, ...changes };
  for (const [name, value] of Object.entries(merged)) if (value === undefined) delete merged[name];
  return merged;
}

/** A compact JWS of exactly this header and payload: no library check on what the header says. */
function compactJws(header: Fields, claims: Fields, signer: (input: Buffer) => Buffer): string {
  const input = `${segment(header)}.${segment(claims)}`;
  return `${input}.${signer(Buffer.from(input)).toString('base64url')}`;
}

const ed25519 = (key: KeyObject) => (input: Buffer) => sign(null, input, key);

/**
 * Re-signs a real token of the stack with the claims or header changed: everything else (iss, aud,
 * sub, sid, jti, type, roles, kid, typ) is copied, so a test changes one thing only. Signed with the
 * stack's key, the signature holds and only the change is wrong.
 */
export function forgeToken(
  stack: Stack,
  realToken: string,
  opts: ForgeOptions = {},
): Promise<string> {
  const header = changed(
    { ...decodeProtectedHeader(realToken), alg: 'EdDSA', kid: stack.signingKey.kid },
    opts.header,
  );
  const key = opts.foreignKey
    ? generateKeyPairSync('ed25519').privateKey
    : createPrivateKey({ key: stack.signingKey, format: 'jwk' });
  return Promise.resolve(
    compactJws(header, changed(decodeJwt(realToken), opts.claims), ed25519(key)),
  );
}

/** The same token, expired a minute ago (issued an hour before that). */
export function expiredToken(stack: Stack, realToken: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return forgeToken(stack, realToken, { claims: { iat: now - 3660, exp: now - 60 } });
}

/** The token's claims under `alg: none` and an empty signature. */
export function unsignedToken(realToken: string): string {
  const header = { ...decodeProtectedHeader(realToken), alg: 'none' };
  return `${segment(header)}.${segment(decodeJwt(realToken))}.`;
}

/** The claims changed while the real signature is kept. */
export function tamperedToken(realToken: string, claims: Fields): string {
  const [header, , signature] = realToken.split('.');
  return `${header}.${segment(changed(decodeJwt(realToken), claims))}.${signature}`;
}

/** The forms of the stack's public key (as GET /.well-known/jwks.json has it) that a verifier could mistake for an HMAC secret. */
export const PUBLIC_KEY_FORMS = {
  'raw x bytes': (jwk: JWK) => Buffer.from(jwk.x!, 'base64url'),
  'base64url x': (jwk: JWK) => jwk.x!,
  'JWK JSON': (jwk: JWK) => JSON.stringify(jwk),
  'PEM text': (jwk: JWK) =>
    createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString(),
} satisfies Record<string, (jwk: JWK) => string | Buffer>;

export type PublicKeyForm = keyof typeof PUBLIC_KEY_FORMS;

/** The token as HS256, its HMAC keyed with a form of the public key: the key-confusion attack. */
export function hmacToken(stack: Stack, realToken: string, form: PublicKeyForm): string {
  const { kty, crv, x, kid } = stack.signingKey;
  const secret = PUBLIC_KEY_FORMS[form]({ kty, crv, x, kid, alg: 'EdDSA', use: 'sig' });
  const header = { ...decodeProtectedHeader(realToken), alg: 'HS256' };
  return compactJws(header, decodeJwt(realToken), (input) =>
    createHmac('sha256', secret).update(input).digest(),
  );
}

/** Signed by a fresh key that the header itself offers (`jwk`) and points to (`jku`), under the real kid. */
export function embeddedKeyToken(realToken: string): string {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const header = {
    ...decodeProtectedHeader(realToken),
    jwk: publicKey.export({ format: 'jwk' }),
    jku: 'https://attacker.example/jwks.json',
  };
  return compactJws(header, decodeJwt(realToken), ed25519(privateKey));
}

/** The claims signed by a fresh key of another type (ES256, RS256) that carries the stack's kid. */
export async function otherAlgorithmToken(
  stack: Stack,
  realToken: string,
  alg: 'ES256' | 'RS256',
): Promise<string> {
  const { privateKey } = await generateKeyPair(alg);
  return new SignJWT(decodeJwt(realToken))
    .setProtectedHeader({ ...decodeProtectedHeader(realToken), alg, kid: stack.signingKey.kid })
    .sign(privateKey);
}

/** The claims as a JWE (five parts) under a random key: a token nobody here signed. */
export function encryptedToken(stack: Stack, realToken: string): Promise<string> {
  return new CompactEncrypt(Buffer.from(JSON.stringify(decodeJwt(realToken))))
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: stack.signingKey.kid, typ: 'JWT' })
    .encrypt(randomBytes(32));
}
