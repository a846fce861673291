import type { Repositories } from '../data/store.js';
import type { FactorMethod } from '../metrics/metrics.js';

/** One kind of second factor: an entry here and a column of FactorRepository.enrolment. */
interface FactorKind {
  method: FactorMethod;
  /** A fallback is offered only beside a factor of its own (recovery codes beside an authenticator). */
  fallback: boolean;
}

/**
 * The registry of second factors. A new kind is one entry here, its column in
 * FactorRepository.enrolment and one verifier in verify-factor.ts; the login, the policy and GET /mfa
 * ask this list alone.
 */
const FACTOR_KINDS: readonly FactorKind[] = [
  { method: 'totp', fallback: false },
  { method: 'webauthn', fallback: false },
  { method: 'recovery_code', fallback: true },
];

/** The methods the account can prove a login with; empty when it has no second factor. */
export async function factorMethods(repos: Repositories, userId: number): Promise<FactorMethod[]> {
  const enrolled = await repos.factors.enrolment(userId);
  const own = FACTOR_KINDS.filter((k) => !k.fallback && enrolled[k.method]);
  if (own.length === 0) return [];
  return [...own, ...FACTOR_KINDS.filter((k) => k.fallback && enrolled[k.method])].map(
    (k) => k.method,
  );
}
