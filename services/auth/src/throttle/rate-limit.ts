import { errors } from '@platform/common';
import type { AuthMetrics } from '../metrics/metrics.js';
import { throttleKeys } from './throttle-keys.js';
import type { RateLimitedOperation } from './throttle-policy.js';
import type { ThrottleStore } from './throttle-store.js';

const WHAT = {
  register: 'registrations',
  refresh: 'refreshes',
  forgot: 'password reset requests',
  mail_token: 'attempts with mailed links',
  passkey_login: 'passkey logins',
} as const;

/**
 * Counts one request of the operation from the client's network in a one-minute window and refuses it
 * (429 with Retry-After) past `perMinute`. Without an IP (the command line) there is no limit.
 */
export async function limitPerMinute(
  deps: { store: ThrottleStore; metrics: AuthMetrics },
  operation: RateLimitedOperation,
  ip: string | undefined,
  perMinute: number,
): Promise<void> {
  if (ip === undefined) return;
  const key = throttleKeys.rate(operation, ip);
  const { allowed, retryAfter } = await deps.store.count(key, perMinute, 60);
  if (allowed) return;
  deps.metrics.throttled(operation, 'ip');
  throw errors.tooManyRequests(
    retryAfter,
    `Too many ${WHAT[operation]} from this address; try again later.`,
  );
}

/**
 * Counts one mail asked for to `address` (lower-cased) in a one-hour window and refuses it past
 * `perHour`: nobody can have an address flooded, whichever client asks. The answer is the same
 * whether or not the address belongs to an account.
 */
export async function limitMailsTo(
  deps: { store: ThrottleStore; metrics: AuthMetrics },
  address: string,
  perHour: number,
): Promise<void> {
  const { allowed, retryAfter } = await deps.store.count(throttleKeys.mail(address), perHour, 3600);
  if (allowed) return;
  deps.metrics.throttled('mail', 'address');
  throw errors.tooManyRequests(
    retryAfter,
    'Too many mails asked for to this address; try again later.',
  );
}
