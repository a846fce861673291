import type { Repositories } from '../data/store.js';

/** A second factor as an operator sees it: its kind and when it was enrolled, never its secret. */
export interface EnrolledFactor {
  /** `totp` (an authenticator app) or `webauthn` (a passkey, one entry each). */
  type: 'totp' | 'webauthn';
  createdAt: Date;
}

/**
 * The second factors an account has enrolled, oldest first: its authenticator app once confirmed,
 * and each passkey. Recovery codes are the app's fallback, not a factor of their own (GET /mfa
 * counts them for the owner).
 */
export async function factorsOf(repos: Repositories, userId: number): Promise<EnrolledFactor[]> {
  const [totp, passkeys] = await Promise.all([
    repos.factors.totpOf(userId),
    repos.passkeys.listByUser(userId),
  ]);
  const factors: EnrolledFactor[] = passkeys.map((p) => ({
    type: 'webauthn',
    createdAt: p.createdAt,
  }));
  if (totp?.confirmedAt) factors.push({ type: 'totp', createdAt: totp.confirmedAt });
  return factors.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
}
