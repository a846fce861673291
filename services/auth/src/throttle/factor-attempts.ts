import { errors } from '@platform/common';
import type { AuditTrail } from '../audit/audit-trail.js';
import type { AuthMetrics } from '../metrics/metrics.js';
import type { FailureRule } from './throttle-policy.js';
import type { Counter, ThrottleStore } from './throttle-store.js';

/** An attempt at a second factor, admitted past the account's factor lock and counted on it. */
export interface FactorAttempt {
  /** The code was wrong: counted (it may lock the factor), audited. */
  failed(method: string): Promise<void>;
  /** The factor is proven: the account's factor failures are forgotten. */
  succeeded(): Promise<void>;
  /** No verdict (a dependency failed): the count is taken back. */
  abandoned(): Promise<void>;
}

const LOCKED =
  'Too many failed second-factor attempts; try again after the time given in Retry-After.';

/**
 * The second factor's failure counter, one per account, apart from the password's: a run of wrong
 * codes locks the account's second-factor verification for MFA_LOCK_MINUTES and nothing else, and
 * wrong passwords never lock the second factor. Without an account to count on (no valid mfa_token)
 * nothing is admitted, so no one can lock another's factor without its password.
 */
export class FactorAttempts {
  constructor(
    private readonly deps: {
      store: ThrottleStore;
      rule: FailureRule;
      metrics: AuthMetrics;
      audit: AuditTrail;
    },
  ) {}

  async admit(
    userId: number,
    request: { ip?: string | undefined; requestId?: string | undefined },
  ): Promise<FactorAttempt> {
    const { store, rule, metrics, audit } = this.deps;
    const counter: Counter = { key: `mfa:account:${userId}`, rule };
    const [hit] = await store.hit([counter]);
    if (!hit!.admitted) {
      metrics.throttled('mfa', 'account');
      await audit.record({
        action: 'mfa_verification',
        outcome: 'failure',
        reason: 'locked',
        userId,
        ...request,
        details: { retry_after: Math.ceil(hit!.lockedFor) },
      });
      throw errors.tooManyRequests(hit!.lockedFor, LOCKED);
    }
    return {
      abandoned: () => store.release([counter]),
      succeeded: () => store.reset([counter.key]),
      failed: async (method) => {
        await audit.record({
          action: 'mfa_verification',
          outcome: 'failure',
          reason: 'wrong_code',
          userId,
          ...request,
          details: { method, failures: hit!.failures },
        });
        if (hit!.lockedFor === 0) return;
        metrics.lockout('mfa');
        await audit.record({
          action: 'lockout',
          outcome: 'failure',
          reason: 'mfa',
          userId,
          ...request,
          details: { failures: hit!.failures, lock_seconds: hit!.lockedFor },
        });
      },
    };
  }
}

/** N failures within the lock's time lock the factor for that whole time. */
export function factorRule(settings: { maxFailures: number; lockSeconds: number }): FailureRule {
  return {
    threshold: settings.maxFailures,
    maxLockSeconds: settings.lockSeconds,
    windowSeconds: settings.lockSeconds,
    hardCap: settings.maxFailures,
  };
}
