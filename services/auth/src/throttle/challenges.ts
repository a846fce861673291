import { hkdfSync } from 'node:crypto';
import { createChallenge, extractParams, verifySolution } from 'altcha-lib/v1';
import type { Challenge, Payload } from 'altcha-lib/v1/types';

/** How long a challenge can be solved and used; its solution is remembered (single use) that long. */
export const CHALLENGE_TTL_SECONDS = 300;

/**
 * The ALTCHA HMAC key derived (HKDF-SHA-256) from a private signing key's `d`: every replica that has
 * the same keys derives the same HMAC key, and there is no separate secret to distribute.
 */
export function challengeHmacKey(privateKeyD: string): string {
  const derived = hkdfSync(
    'sha256',
    Buffer.from(privateKeyD, 'base64url'),
    'auth-service',
    'altcha challenge hmac v1',
    32,
  );
  return Buffer.from(derived).toString('hex');
}

export interface VerifiedSolution {
  /** The challenge's signature: one per challenge, remembered so that a solution works once. */
  id: string;
  expiresAt: Date;
}

/**
 * Self-hosted ALTCHA proof of work (the classic SHA-256 protocol of `altcha-lib/v1`, which the ALTCHA
 * widget submits as a base64 JSON payload).
 */
export class Challenges {
  /** `hmacKeys[0]` signs; every key verifies, so challenges survive a signing-key rotation. */
  constructor(
    private readonly hmacKeys: readonly string[],
    private readonly maxNumber: number,
  ) {}

  create(): Promise<Challenge> {
    return createChallenge({
      hmacKey: this.hmacKeys[0]!,
      maxNumber: this.maxNumber,
      expires: new Date(Date.now() + CHALLENGE_TTL_SECONDS * 1000),
    });
  }

  /** The solution's id and expiry when it is genuine, solved and unexpired; undefined otherwise. */
  async verify(encoded: string): Promise<VerifiedSolution | undefined> {
    const payload = decode(encoded);
    if (!payload) return undefined;
    // Every challenge this service signs expires; one without an expiry was not made here.
    const expires = Number(extractParams(payload).expires);
    if (!Number.isSafeInteger(expires)) return undefined;
    for (const key of this.hmacKeys) {
      if (await verifySolution(payload, key, true)) {
        return { id: payload.signature, expiresAt: new Date(expires * 1000) };
      }
    }
    return undefined;
  }
}

/** The widget's payload, checked field by field before the library sees it. */
function decode(encoded: string): Payload | undefined {
  try {
    const value = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as Partial<Payload>;
    const wellFormed =
      typeof value === 'object' &&
      value !== null &&
      value.algorithm === 'SHA-256' &&
      typeof value.challenge === 'string' &&
      Number.isSafeInteger(value.number) &&
      typeof value.salt === 'string' &&
      typeof value.signature === 'string';
    return wellFormed ? (value as Payload) : undefined;
  } catch {
    return undefined;
  }
}
