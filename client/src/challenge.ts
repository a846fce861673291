// The login's proof of work (ALTCHA, SHA-256): after failed logins the auth service answers 428 and
// wants `altcha`, a solved challenge from GET /challenge, in the body (openapi/auth.yaml, /challenge).
import type { components } from './generated/auth-api.js';

export type Challenge = components['schemas']['ChallengeSchema'];

/**
 * The `altcha` value that solves `challenge`: the number from 0 to maxnumber whose SHA-256 of salt +
 * number is the challenge, in the payload the service verifies. WebCrypto, so it runs in Node and in
 * browsers; hashes in batches so a page stays responsive.
 */
export async function solveChallenge(challenge: Challenge, signal?: AbortSignal): Promise<string> {
  if (challenge.algorithm !== 'SHA-256') {
    throw new Error(`Unsupported challenge algorithm ${String(challenge.algorithm)}`);
  }
  const encoder = new TextEncoder();
  const target = challenge.challenge.toLowerCase();
  const BATCH = 64;
  for (let start = 0; start <= challenge.maxnumber; start += BATCH) {
    signal?.throwIfAborted();
    const end = Math.min(start + BATCH - 1, challenge.maxnumber);
    const numbers = Array.from({ length: end - start + 1 }, (_, i) => start + i);
    const digests = await Promise.all(
      numbers.map((n) => crypto.subtle.digest('SHA-256', encoder.encode(`${challenge.salt}${n}`))),
    );
    const found = digests.findIndex((d) => hex(d) === target);
    if (found >= 0) {
      const payload = {
        algorithm: challenge.algorithm,
        challenge: challenge.challenge,
        number: numbers[found],
        salt: challenge.salt,
        signature: challenge.signature,
      };
      return btoa(JSON.stringify(payload));
    }
  }
  throw new Error('The challenge has no solution up to its maxnumber');
}

function hex(buffer: ArrayBuffer): string {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
}
