import type { Repositories } from '../data/store.js';
import type { FactorMethod } from '../metrics/metrics.js';

/** One kind of second factor and how to tell whether an account can log in with it. */
interface FactorKind {
  method: FactorMethod;
  /** A fallback is offered only beside a factor of its own (recovery codes beside an authenticator). */
  fallback: boolean;
  enrolled(repos: Repositories, userId: number): Promise<boolean>;
}

/**
 * The registry of second factors. A new kind is one entry here and one verifier in
 * verify-factor.ts; the login, the policy and GET /mfa ask this list alone.
 */
const FACTOR_KINDS: readonly FactorKind[] = [
  {
    method: 'totp',
    fallback: false,
    enrolled: async (repos, userId) => (await repos.factors.totpOf(userId))?.confirmed === true,
  },
  {
    method: 'webauthn',
    fallback: false,
    enrolled: async (repos, userId) => (await repos.passkeys.countByUser(userId)) > 0,
  },
  {
    method: 'recovery_code',
    fallback: true,
    enrolled: async (repos, userId) => (await repos.factors.unusedRecoveryCodes(userId)).length > 0,
  },
];

/** The methods the account can prove a login with; empty when it has no second factor. */
export async function factorMethods(repos: Repositories, userId: number): Promise<FactorMethod[]> {
  const methods: FactorMethod[] = [];
  // Factors first: most accounts have none, and then their fallbacks need no look.
  for (const kind of FACTOR_KINDS.filter((k) => !k.fallback)) {
    if (await kind.enrolled(repos, userId)) methods.push(kind.method);
  }
  if (methods.length === 0) return [];
  for (const kind of FACTOR_KINDS.filter((k) => k.fallback)) {
    if (await kind.enrolled(repos, userId)) methods.push(kind.method);
  }
  return methods;
}
