import { generate } from 'otplib';
import { describe, expect, it } from 'vitest';
import { oathtool, oathtoolCode } from '../../../../test/support/oathtool.js';
import { newTotpSecret, totpStep, TOTP_PERIOD_SECONDS } from './totp.js';

const AT = Date.UTC(2026, 0, 1, 12, 0, 10);
const step = Math.floor(AT / 1000 / TOTP_PERIOD_SECONDS);
const codeAt = (secret: string, epochMs: number) =>
  generate({ secret, epoch: Math.floor(epochMs / 1000) });

describe('newTotpSecret', () => {
  it('is 160 bits of base32 with an otpauth URI naming issuer and account, and a QR code', () => {
    const enrolment = newTotpSecret('Auth Platform', 'johndoe');
    expect(enrolment.secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(enrolment.otpauthUri);
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/Auth Platform:johndoe');
    expect(uri.searchParams.get('secret')).toBe(enrolment.secret);
    expect(uri.searchParams.get('issuer')).toBe('Auth Platform');
    expect(enrolment.qrSvg).toMatch(/^<svg[\s\S]*<\/svg>$/);
  });
});

describe('totpStep', () => {
  const { secret } = newTotpSecret('Auth Platform', 'johndoe');

  it("accepts the current step's code and those one step before and after, and names the step", async () => {
    for (const delta of [-1, 0, 1]) {
      const code = await codeAt(secret, AT + delta * TOTP_PERIOD_SECONDS * 1000);
      expect(await totpStep(secret, code, AT)).toBe(step + delta);
    }
  });

  it('refuses codes two steps away, other secrets and anything not six digits', async () => {
    expect(await totpStep(secret, await codeAt(secret, AT - 2 * 30_000), AT)).toBeUndefined();
    expect(await totpStep(secret, await codeAt(secret, AT + 2 * 30_000), AT)).toBeUndefined();
    const other = newTotpSecret('Auth Platform', 'other').secret;
    const code = await codeAt(other, AT);
    if (code !== (await codeAt(secret, AT)))
      expect(await totpStep(secret, code, AT)).toBeUndefined();
    for (const junk of ['', '12345', '1234567', 'abcdef', ' 12345']) {
      expect(await totpStep(secret, junk, AT)).toBeUndefined();
    }
  });

  it.skipIf(!oathtool.available)("agrees with Debian's oathtool (RFC 6238 reference)", async () => {
    for (const offset of [0, 17, 30, 31, 59, 90, 3600]) {
      const at = AT + offset * 1000;
      const reference = oathtoolCode(secret, at);
      expect(await codeAt(secret, at)).toBe(reference);
      expect(await totpStep(secret, reference, at)).toBe(Math.floor(at / 30_000));
    }
  });
});
