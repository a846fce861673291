import { generate, generateSecret } from 'otplib';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain ESM of the benchmark, without type declarations
import { stepAt, totpCode, usableStep } from '../../bench/lib/totp.mjs';

const STEP_MS = 30_000;

describe("The benchmark's TOTP codes (bench/lib/totp.mjs)", () => {
  it("When the secret is RFC 6238's SHA-1 key, then the codes are the last six digits of its test vectors", () => {
    const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'; // "12345678901234567890"
    const at = (seconds: number) => totpCode(secret, stepAt(seconds * 1000));
    expect([at(59), at(1111111109), at(1234567890), at(2000000000)]).toEqual([
      '287082',
      '081804',
      '005924',
      '279037',
    ]);
  });

  it('When otplib computes the code of a random secret and time, then it is the same', async () => {
    for (let i = 0; i < 20; i++) {
      const secret = generateSecret({ length: 20 });
      const epoch = Math.floor(Math.random() * 2e9);
      expect(totpCode(secret, stepAt(epoch * 1000))).toBe(await generate({ secret, epoch }));
    }
  });
});

describe("The TOTP login's next step (usableStep)", () => {
  const start = 1000 * STEP_MS;

  it('When an account has presented no step, then it presents the one before now while it is good for long enough', () => {
    expect(usableStep(-Infinity, start + 1000)).toBe(999);
    expect(usableStep(-Infinity, start + STEP_MS - 1000)).toBe(1000);
  });

  it('When steps are presented within one step of time, then each is above the last and at most the next one', () => {
    const now = start + 1000;
    expect(usableStep(999, now)).toBe(1000);
    expect(usableStep(1000, now)).toBe(1001);
    expect(usableStep(1001, now)).toBeUndefined();
    expect(usableStep(1001, now + STEP_MS)).toBe(1002);
  });
});
