// TOTP codes as an authenticator app computes them (RFC 6238 over RFC 4226's HOTP): HMAC-SHA1 of the
// time step, six digits, 30-second steps, the secret in base32 as POST /mfa/totp answers it; and the
// step a code may be of, for a service that accepts the step before, at and after now, each once and
// none older than the last one accepted.
import { createHmac } from 'node:crypto';

export const STEP_SECONDS = 30;
const STEP_MS = STEP_SECONDS * 1000;
/** The step before now is presented only this long before it leaves the service's window. */
const MARGIN_MS = 5000;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** The time step of `ms` (milliseconds since the epoch). */
export const stepAt = (ms) => Math.floor(ms / 1000 / STEP_SECONDS);

/** The six-digit code of `secret` (base32) for time step `step`. */
export function totpCode(secret, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const value = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(value % 1_000_000).padStart(6, '0');
}

/**
 * The lowest step above `last` that the service accepts when a request sent at `nowMs` arrives: the
 * one before now while at least MARGIN_MS of the current step are left, else the current or the
 * next one; undefined when the account has presented the next step already.
 */
export function usableStep(last, nowMs) {
  const current = stepAt(nowMs);
  const lowest = nowMs % STEP_MS < STEP_MS - MARGIN_MS ? current - 1 : current;
  const step = Math.max(last + 1, lowest);
  return step <= current + 1 ? step : undefined;
}

function base32Decode(text) {
  const bytes = [];
  let bits = 0;
  let buffer = 0;
  for (const char of text.replace(/=+$/, '').toUpperCase()) {
    const index = BASE32.indexOf(char);
    if (index < 0) throw new Error(`not base32: ${char}`);
    buffer = ((buffer << 5) | index) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((buffer >> bits) & 0xff);
    }
  }
  return Buffer.from(bytes);
}
