import { errors } from '@platform/common';
import type { AuthMetrics } from '../metrics/metrics.js';
import { throttleKeys } from './throttle-keys.js';
import type { ThrottleStore } from './throttle-store.js';

const WHAT = { register: 'registrations', refresh: 'refreshes' } as const;

/**
 * Counts one request of the operation from the client's network in a one-minute window and refuses it
 * (429 with Retry-After) past `perMinute`. Without an IP (the command line) there is no limit.
 */
export async function limitPerMinute(
  deps: { store: ThrottleStore; metrics: AuthMetrics },
  operation: keyof typeof WHAT,
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
