import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  newRecoveryCodes,
  normalizeRecoveryCode,
  recoveryCodeHash,
  RECOVERY_CODE_COUNT,
  sameHash,
} from './recovery-codes.js';

describe('recovery codes', () => {
  it('are ten distinct codes of two groups of five unambiguous symbols', () => {
    const codes = newRecoveryCodes();
    expect(codes).toHaveLength(RECOVERY_CODE_COUNT);
    expect(new Set(codes).size).toBe(RECOVERY_CODE_COUNT);
    for (const code of codes) expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/);
  });

  it('are read back as typed: any case, spaces and dashes, O for 0 and I or L for 1', () => {
    expect(normalizeRecoveryCode('abcde-fgh12')).toBe('ABCDEFGH12');
    expect(normalizeRecoveryCode(' ABCDE FGH12 ')).toBe('ABCDEFGH12');
    expect(normalizeRecoveryCode('OOOOO-iiiii')).toBe('0000011111');
    expect(normalizeRecoveryCode('ABCDE-FGH1')).toBeUndefined();
    expect(normalizeRecoveryCode('ABCDE-FGHU2')).toBeUndefined();
    expect(normalizeRecoveryCode('')).toBeUndefined();
  });

  it('are hashed with a server key and the account id: another key or account gives another hash', () => {
    const key = randomBytes(32);
    const hash = recoveryCodeHash(key, 7, 'ABCDEFGH12');
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(sameHash(hash, recoveryCodeHash(key, 7, 'ABCDEFGH12'))).toBe(true);
    expect(sameHash(hash, recoveryCodeHash(key, 8, 'ABCDEFGH12'))).toBe(false);
    expect(sameHash(hash, recoveryCodeHash(randomBytes(32), 7, 'ABCDEFGH12'))).toBe(false);
    expect(sameHash(hash, recoveryCodeHash(key, 7, 'ABCDEFGH13'))).toBe(false);
    expect(sameHash(hash, 'abcd')).toBe(false);
  });
});
