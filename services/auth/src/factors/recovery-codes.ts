import { createHmac, hkdfSync, randomInt, timingSafeEqual } from 'node:crypto';

/** How many codes a set has. */
export const RECOVERY_CODE_COUNT = 10;
/** Crockford's base32 without I, L, O, U: nothing to misread. 10 symbols: 50 bits a code. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const LENGTH = 10;

/** Ten new codes, shown to the account's owner once, as `XXXXX-XXXXX`. */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const symbols = Array.from({ length: LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]);
    return `${symbols.slice(0, 5).join('')}-${symbols.slice(5).join('')}`;
  });
}

/**
 * A code as typed, the way it is hashed: upper case, without spaces and dashes, with the letters
 * people confuse for digits read as those digits. Undefined when it cannot be a code.
 */
export function normalizeRecoveryCode(typed: string): string | undefined {
  const code = typed.toUpperCase().replace(/[\s-]/g, '').replace(/[IL]/g, '1').replace(/O/g, '0');
  if (code.length !== LENGTH || [...code].some((c) => !ALPHABET.includes(c))) return undefined;
  return code;
}

/**
 * The hash a code is stored as: HMAC-SHA-256 under a key derived from one of the MFA keys, over the
 * account id and the code, so a copied table is no list of codes and a row is good for its account
 * alone. The row records the kid, so codes outlive a key rotation.
 */
export function recoveryCodeHash(key: Buffer, userId: number, code: string): string {
  const derived = Buffer.from(hkdfSync('sha256', key, '', 'recovery-code-hash', 32));
  return createHmac('sha256', derived).update(`${userId}:${code}`).digest('hex');
}

export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}
