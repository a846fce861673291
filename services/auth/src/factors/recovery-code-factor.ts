import type { Repositories } from '../data/store.js';
import type { AuthDeps } from '../deps.js';
import {
  newRecoveryCodes,
  normalizeRecoveryCode,
  recoveryCodeHash,
  sameHash,
} from './recovery-codes.js';

/** Inside a transaction: a new set of codes in place of the old one; the codes, to show once. */
export async function issueRecoveryCodes(
  deps: AuthDeps,
  repos: Repositories,
  userId: number,
): Promise<string[]> {
  const { box } = deps.mfa;
  const key = box.keyOf(box.currentKid)!;
  const codes = newRecoveryCodes();
  const hashes = codes.map((code) => recoveryCodeHash(key, userId, normalizeRecoveryCode(code)!));
  await repos.factors.replaceRecoveryCodes(userId, box.currentKid, hashes);
  return codes;
}

/**
 * Spends one of the account's unused recovery codes (a compare-and-swap: once, however many race).
 * Returns how many are left after it, or undefined when the code is none of them.
 */
export async function spendRecoveryCode(
  deps: AuthDeps,
  repos: Repositories,
  userId: number,
  typed: string,
): Promise<number | undefined> {
  const code = normalizeRecoveryCode(typed);
  if (!code) return undefined;
  const unused = await repos.factors.unusedRecoveryCodes(userId);
  for (const stored of unused) {
    const key = deps.mfa.box.keyOf(stored.kid);
    if (!key || !sameHash(stored.hash, recoveryCodeHash(key, userId, code))) continue;
    return (await repos.factors.useRecoveryCode(stored.id)) ? unused.length - 1 : undefined;
  }
  return undefined;
}
