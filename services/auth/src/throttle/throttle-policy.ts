/**
 * NIST SP 800-63B §5.2.2: a verifier SHALL limit consecutive failed authentication attempts on one
 * account to no more than 100. When an account's failures reach it, the account stays locked for a
 * whole failure window (or the longest backoff, if that is longer), whatever the other settings say.
 */
export const NIST_MAX_CONSECUTIVE_FAILURES = 100;

/** The requests counted per client network in a fixed window. */
export type RateLimitedOperation =
  'register' | 'refresh' | 'forgot' | 'mail_token' | 'passkey_login';

/** What a failure counter is keyed by. */
export type ThrottleScope = 'account' | 'ip' | 'account_ip';

/** How one kind of failure counter turns failures into locks. */
export interface FailureRule {
  /** Failures below it are free; the failure that reaches it locks the key, and so does each after it. */
  threshold: number;
  /** The longest backoff lock. */
  maxLockSeconds: number;
  /** A counter is forgotten this long after its last failure (or after its lock ends, if later). */
  windowSeconds: number;
  /** Failures at which the key is locked for its whole window (the account: the NIST cap). */
  hardCap?: number;
}

/** The brute-force settings (LOGIN_*, the *_RATE_PER_* limits, CHALLENGE_*). */
export interface ThrottleSettings {
  maxFailures: Record<ThrottleScope, number>;
  lockMaxSeconds: number;
  failureWindowSeconds: number;
  registerPerMinute: number;
  refreshPerMinute: number;
  /** Forgot-password requests per client network and minute. */
  forgotPerMinute: number;
  /** Spends of mail tokens (reset, verify) per client network and minute. */
  mailTokenPerMinute: number;
  /** Passwordless login ceremonies started per minute per client network. */
  passkeyLoginPerMinute: number;
  /** Mails asked for per target address and hour (forgot password, verification, email change). */
  mailsPerAddressPerHour: number;
  /** Failures of the account or the IP after which a login needs a solved challenge; 0: never. */
  challengeAfterFailures: number;
  challengeMaxNumber: number;
}

/**
 * Seconds a key is locked after its `failures`-th consecutive failure: none below the threshold, then
 * 1, 2, 4, ... capped at `maxLockSeconds`, and a whole window at the hard cap. A lock always ends.
 */
export function lockSeconds(failures: number, rule: FailureRule): number {
  if (rule.hardCap !== undefined && failures >= rule.hardCap) {
    return Math.max(rule.windowSeconds, rule.maxLockSeconds);
  }
  if (failures < rule.threshold) return 0;
  return Math.min(rule.maxLockSeconds, 2 ** Math.min(failures - rule.threshold, 30));
}

export function failureRules(settings: ThrottleSettings): Record<ThrottleScope, FailureRule> {
  const rule = (scope: ThrottleScope): FailureRule => ({
    threshold: settings.maxFailures[scope],
    maxLockSeconds: settings.lockMaxSeconds,
    windowSeconds: settings.failureWindowSeconds,
  });
  return {
    account: { ...rule('account'), hardCap: NIST_MAX_CONSECUTIVE_FAILURES },
    ip: rule('ip'),
    account_ip: rule('account_ip'),
  };
}
