import { Counter, type Registry } from '@platform/common';
import type { AuthMetrics } from '../metrics/metrics.js';

/**
 * The scopes that can refuse each operation: logins have failure counters, mails asked for a limit per
 * target address, the others a per-IP rate.
 */
const THROTTLED = [
  ['login', 'account'],
  ['login', 'ip'],
  ['login', 'account_ip'],
  ['register', 'ip'],
  ['refresh', 'ip'],
  ['forgot', 'ip'],
  ['mail_token', 'ip'],
  ['passkey_login', 'ip'],
  ['mail', 'address'],
  ['mfa', 'account'],
] as const;

/** The brute-force metrics, every known label set at 0 from the start like the other auth counters. */
export function throttleMetrics(
  registry: Registry,
): Pick<AuthMetrics, 'throttled' | 'lockout' | 'challenge'> {
  const registers = [registry];
  const throttled = new Counter({
    name: 'auth_throttled_requests_total',
    help: 'Requests refused with 429 by a temporary lock or a per-IP rate limit, by operation and scope.',
    labelNames: ['operation', 'scope'] as const,
    registers,
  });
  const lockouts = new Counter({
    name: 'auth_lockouts_total',
    help: 'Failed logins that locked a failure counter (exponential backoff), and second-factor failures that locked it (mfa), by scope.',
    labelNames: ['scope'] as const,
    registers,
  });
  const challenges = new Counter({
    name: 'auth_challenges_total',
    help: 'Proof-of-work challenges: issued, logins refused without one or with a bad or used one, solved.',
    labelNames: ['outcome'] as const,
    registers,
  });
  for (const [operation, scope] of THROTTLED) throttled.inc({ operation, scope }, 0);
  for (const scope of ['account', 'ip', 'account_ip', 'mfa']) lockouts.inc({ scope }, 0);
  for (const outcome of ['issued', 'required', 'refused', 'solved']) challenges.inc({ outcome }, 0);
  return {
    throttled: (operation, scope) => throttled.inc({ operation, scope }),
    lockout: (scope) => lockouts.inc({ scope }),
    challenge: (outcome) => challenges.inc({ outcome }),
  };
}
