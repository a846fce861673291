import { generateSecret, generateURI, verify } from 'otplib';
import { renderSVG } from 'uqr';

/** RFC 6238 with the parameters every authenticator app takes: SHA-1, 6 digits, 30 s steps. */
export const TOTP_PERIOD_SECONDS = 30;
/** Codes of the step before and after the current one are accepted too (clock drift). */
const TOLERANCE_SECONDS = TOTP_PERIOD_SECONDS;

export interface TotpEnrolment {
  /** Base32, as an app's manual entry takes it. */
  secret: string;
  otpauthUri: string;
  /** The URI as a QR code. */
  qrSvg: string;
}

/** A new secret (160 bits, RFC 4226's recommendation) with its otpauth:// URI and QR code. */
export function newTotpSecret(issuer: string, accountName: string): TotpEnrolment {
  const secret = generateSecret({ length: 20 });
  const otpauthUri = generateURI({ issuer, label: accountName, secret });
  return { secret, otpauthUri, qrSvg: renderSVG(otpauthUri) };
}

/**
 * The time step a code belongs to, within one step either side of `nowMs`; undefined when it matches
 * none. Whether the step was used already is the caller's to decide (compare-and-swap on the last one).
 */
export async function totpStep(
  secret: string,
  code: string,
  nowMs: number = Date.now(),
): Promise<number | undefined> {
  if (!/^\d{6}$/.test(code)) return undefined;
  const result = await verify({
    secret,
    token: code,
    epoch: Math.floor(nowMs / 1000),
    epochTolerance: TOLERANCE_SECONDS,
  });
  // The functional API types TOTP's and HOTP's results as one; a TOTP result names its step.
  return result.valid && 'timeStep' in result ? result.timeStep : undefined;
}
