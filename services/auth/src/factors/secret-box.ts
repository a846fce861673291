import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** AES-256-GCM keys by kid; `current` seals, every key opens (MFA_ENCRYPTION_KEYS). */
export interface SecretKeyring {
  current: string;
  keys: ReadonlyMap<string, Buffer>;
}

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KID = /^[A-Za-z0-9_-]{1,32}$/;

export class SealedSecretError extends Error {
  constructor(reason: string) {
    super(`Cannot open the sealed secret: ${reason}`);
    this.name = 'SealedSecretError';
  }
}

/**
 * Secrets at rest (TOTP seeds): AES-256-GCM under the keyring's current key, as
 * `v1.<kid>.<iv>.<ciphertext and tag>` (base64url). The additional data binds a sealed value to
 * what it belongs to (the account), so a row copied onto another account does not open.
 */
export class SecretBox {
  constructor(private readonly ring: SecretKeyring) {
    if (!ring.keys.has(ring.current)) throw new Error(`No key has the current kid ${ring.current}`);
    for (const [kid, key] of ring.keys) {
      if (!KID.test(kid)) throw new Error(`The kid "${kid}" is not 1-32 of [A-Za-z0-9_-]`);
      if (key.length !== 32) throw new Error(`The key ${kid} is not 32 bytes`);
    }
  }

  seal(plaintext: string, aad: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.ring.keys.get(this.ring.current)!, iv);
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const body = Buffer.concat([
      cipher.update(plaintext, 'utf8'),
      cipher.final(),
      cipher.getAuthTag(),
    ]);
    return [VERSION, this.ring.current, iv.toString('base64url'), body.toString('base64url')].join(
      '.',
    );
  }

  /** The plaintext, and whether it should be sealed again (it was sealed under an older key). */
  open(sealed: string, aad: string): { plaintext: string; stale: boolean } {
    const [version, kid, iv, body, ...rest] = sealed.split('.');
    if (version !== VERSION || !kid || !iv || !body || rest.length > 0) {
      throw new SealedSecretError('not a v1 sealed value');
    }
    const key = this.ring.keys.get(kid);
    if (!key) throw new SealedSecretError(`no key has the kid ${kid}`);
    const data = Buffer.from(body, 'base64url');
    if (data.length < TAG_BYTES) throw new SealedSecretError('too short');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const plaintext = Buffer.concat([
        decipher.update(data.subarray(0, data.length - TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
      return { plaintext, stale: kid !== this.ring.current };
    } catch {
      throw new SealedSecretError('authentication failed');
    }
  }

  /** The keyring's current kid (recovery-code hashes record which key made them). */
  get currentKid(): string {
    return this.ring.current;
  }

  /** The raw key of a kid, for deriving keys of other purposes from it. */
  keyOf(kid: string): Buffer | undefined {
    return this.ring.keys.get(kid);
  }
}

/**
 * MFA_ENCRYPTION_KEYS: `{"current": "<kid>", "keys": {"<kid>": "<32 bytes, base64>"}}`. Throws with
 * what is wrong; the config reader names the variable.
 */
export function parseKeyring(raw: string): SecretKeyring {
  const value = JSON.parse(raw) as unknown;
  if (typeof value !== 'object' || value === null) throw new Error('not a JSON object');
  const { current, keys } = value as { current?: unknown; keys?: unknown };
  if (typeof current !== 'string') throw new Error('"current" must be a kid');
  if (typeof keys !== 'object' || keys === null || Array.isArray(keys)) {
    throw new Error('"keys" must be an object of kid to base64 key');
  }
  const ring = new Map<string, Buffer>();
  for (const [kid, encoded] of Object.entries(keys)) {
    if (typeof encoded !== 'string') throw new Error(`the key ${kid} must be a base64 string`);
    ring.set(kid, Buffer.from(encoded, 'base64'));
  }
  const keyring = { current, keys: ring };
  new SecretBox(keyring);
  return keyring;
}
