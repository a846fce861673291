import type { Repositories } from '../data/store.js';
import type { AuthDeps } from '../deps.js';
import { totpStep } from './totp.js';

/** The additional data a TOTP secret is sealed with: a sealed secret opens for its account alone. */
export const totpAad = (userId: number) => `totp:${userId}`;

/**
 * Checks a TOTP code of the account's confirmed authenticator and spends its time step by
 * compare-and-swap: of concurrent submissions of one code exactly one wins, and no code of that step
 * or an earlier one is accepted again. A secret sealed under an older key is sealed again under the
 * current one. Returns the step, or undefined.
 */
export async function spendTotpCode(
  deps: AuthDeps,
  repos: Repositories,
  userId: number,
  code: string,
): Promise<number | undefined> {
  const factor = await repos.factors.totpOf(userId);
  if (!factor?.confirmed) return undefined;
  const { box } = deps.mfa;
  const { plaintext, stale } = box.open(factor.sealedSecret, totpAad(userId));
  const step = await totpStep(plaintext, code);
  if (step === undefined || !(await repos.factors.useTotpStep(userId, step))) return undefined;
  if (stale) {
    await repos.factors.resealTotp(
      userId,
      factor.sealedSecret,
      box.seal(plaintext, totpAad(userId)),
    );
  }
  return step;
}
