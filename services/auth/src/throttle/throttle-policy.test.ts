import { describe, expect, it } from 'vitest';
import { loadAuthConfig } from '../config.js';
import {
  failureRules,
  lockSeconds,
  NIST_MAX_CONSECUTIVE_FAILURES,
  type FailureRule,
} from './throttle-policy.js';

const rule: FailureRule = { threshold: 5, maxLockSeconds: 900, windowSeconds: 3600 };
const defaults = loadAuthConfig({}).throttle;

describe('lockSeconds', () => {
  it('When failures are below the threshold, then they are free', () => {
    expect([0, 1, 2, 3, 4].map((f) => lockSeconds(f, rule))).toEqual([0, 0, 0, 0, 0]);
  });

  it('When failures reach the threshold and go on, then each locks twice as long as the last', () => {
    expect([5, 6, 7, 8, 9, 10].map((f) => lockSeconds(f, rule))).toEqual([1, 2, 4, 8, 16, 32]);
  });

  it('When the backoff would pass the longest lock, then it stays at the longest lock, however many failures', () => {
    expect(lockSeconds(14, rule)).toBe(512);
    expect(lockSeconds(15, rule)).toBe(900);
    expect(lockSeconds(99, rule)).toBe(900);
    expect(lockSeconds(1_000_000, rule)).toBe(900);
  });

  it('When a rule has a hard cap, then reaching it locks for the whole window (or the longest lock if longer)', () => {
    const capped = { ...rule, hardCap: 100 };
    expect(lockSeconds(99, capped)).toBe(900);
    expect(lockSeconds(100, capped)).toBe(3600);
    expect(lockSeconds(150, capped)).toBe(3600);
    expect(lockSeconds(100, { ...capped, windowSeconds: 60 })).toBe(900);
  });
});

describe('the NIST SP 800-63B cap', () => {
  it('When the account rule is built, then its hard cap is 100 consecutive failures whatever the settings', () => {
    expect(NIST_MAX_CONSECUTIVE_FAILURES).toBe(100);
    const rules = failureRules({ ...defaults, failureWindowSeconds: 1800 });
    expect(rules.account.hardCap).toBe(100);
    expect(lockSeconds(100, rules.account)).toBe(1800);
    expect(rules.ip.hardCap).toBeUndefined();
    expect(rules.account_ip.hardCap).toBeUndefined();
  });

  it('When an account threshold above the cap is configured, then the configuration is refused', () => {
    expect(() => loadAuthConfig({ LOGIN_MAX_FAILURES_PER_ACCOUNT: '101' })).toThrow(
      /LOGIN_MAX_FAILURES_PER_ACCOUNT must be an integer from 1 to 100/,
    );
  });
});

describe('the brute-force settings', () => {
  it('When nothing is set, then the production defaults apply', () => {
    expect(defaults).toEqual({
      maxFailures: { account: 10, ip: 100, account_ip: 5 },
      lockMaxSeconds: 900,
      failureWindowSeconds: 3600,
      registerPerMinute: 10,
      refreshPerMinute: 60,
      forgotPerMinute: 10,
      mailTokenPerMinute: 30,
      passkeyLoginPerMinute: 30,
      mailsPerAddressPerHour: 5,
      challengeAfterFailures: 3,
      challengeMaxNumber: 100_000,
    });
  });
});
