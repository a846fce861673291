import { errors, type Logger } from '@platform/common';
import { authErrors } from '../auth-errors.js';
import type { AuditTrail } from '../audit/audit-trail.js';
import type { Challenges } from './challenges.js';
import type { AuthMetrics } from '../metrics/metrics.js';
import { limitMailsTo, limitPerMinute } from './rate-limit.js';
import { loginKeys, throttleKeys, type CountedKey } from './throttle-keys.js';
import {
  failureRules,
  type FailureRule,
  type RateLimitedOperation,
  type ThrottleScope,
  type ThrottleSettings,
} from './throttle-policy.js';
import type { CounterState, Hit, ThrottleStore } from './throttle-store.js';
import { FactorAttempts } from './factor-attempts.js';

export interface LoginRequest {
  login: string;
  ip?: string | undefined;
  requestId?: string | undefined;
  /** A solved challenge (the ALTCHA widget's base64 payload). */
  altcha?: string | undefined;
}

/** A login attempt admitted past the locks and the challenge, already counted on each of its keys. */
export interface LoginAttempt {
  /** The login is unknown or the password wrong: audits the failure and each lock it set. */
  failed(reason: 'unknown_login' | 'wrong_password', userId?: number): Promise<void>;
  /** The password is proven: the account's counters start again; the IP's count of it is taken back. */
  proven(): Promise<void>;
  /**
   * The attempt came to no verdict (a dependency failed: the answer is a 503): its counts are taken
   * back, now or, while the database is away, as soon as it answers again. Never throws.
   */
  abandoned(): Promise<void>;
}

/** Runs a step of an admitted attempt before its verdict is recorded; if it fails, the attempt is taken back. */
export async function untilVerdict<T>(attempt: LoginAttempt, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    await attempt.abandoned();
    throw err;
  }
}

const LOCKED = 'Too many failed logins; try again after the time given in Retry-After.';
const CHALLENGE =
  'Too many failed logins: fetch a challenge from GET /challenge, solve it and send the solution as `altcha` with the login.';
const BAD_SOLUTION =
  'The challenge solution is invalid, expired or already used: fetch a new challenge from GET /challenge.';

/**
 * Brute-force defence: failure counters with exponential backoff locks per account (the login as
 * typed), per client network and per both; per-IP rate limits of registration and refresh; and a
 * proof-of-work challenge after a few failures. Every refusal comes before any password work and is
 * the same for a known and an unknown login. A lock always ends, and a locked attempt neither counts
 * nor extends the lock: otherwise anyone could keep an account locked for ever at the cost of one
 * request per lock.
 */
export class Throttle {
  private readonly rules: Record<ThrottleScope, FailureRule>;
  /** Second-factor attempts: one counter per account, apart from the password's. */
  readonly factors: FactorAttempts;

  constructor(
    private readonly deps: {
      store: ThrottleStore;
      settings: ThrottleSettings;
      /** How second-factor failures lock (MFA_MAX_FAILURES, MFA_LOCK_MINUTES). */
      factorRule: FailureRule;
      challenges: Challenges;
      metrics: AuthMetrics;
      audit: AuditTrail;
      logger: Logger;
    },
  ) {
    this.rules = failureRules(deps.settings);
    this.factors = new FactorAttempts({
      store: deps.store,
      rule: deps.factorRule,
      metrics: deps.metrics,
      audit: deps.audit,
    });
  }

  newChallenge() {
    this.deps.metrics.challenge('issued');
    return this.deps.challenges.create();
  }

  /** A per-IP rate limit per minute; without an IP (the command line), none. */
  limit(operation: RateLimitedOperation, ip: string | undefined): Promise<void> {
    const { settings } = this.deps;
    const perMinute = {
      register: settings.registerPerMinute,
      refresh: settings.refreshPerMinute,
      forgot: settings.forgotPerMinute,
      mail_token: settings.mailTokenPerMinute,
      passkey_login: settings.passkeyLoginPerMinute,
    }[operation];
    return limitPerMinute(this.deps, operation, ip, perMinute);
  }

  /** The per-address limit of the mails clients can ask for (429 past it). */
  limitMailsTo(address: string): Promise<void> {
    return limitMailsTo(this.deps, address, this.deps.settings.mailsPerAddressPerHour);
  }

  /**
   * Lifts the login's locks: its own counter and each (login, network) one. Its address has been
   * proven (a password reset), so whoever was guessing cannot keep its owner out any more.
   */
  async forgetLogin(login: string): Promise<void> {
    const { store } = this.deps;
    const { prefix, suffix } = throttleKeys.accountIpPattern(login);
    await store.reset([throttleKeys.account(login)]);
    await store.resetMatching(prefix, suffix);
  }

  /** The failures counted against the login (from any address) and how long it stays locked. */
  async loginLock(login: string): Promise<CounterState> {
    const key = throttleKeys.account(login);
    return (await this.deps.store.peek([key])).get(key) ?? { failures: 0, lockedFor: 0 };
  }

  /** An erased account: its login's locks and its addresses' mail limits are forgotten. */
  async forgetAccount(login: string, addresses: readonly string[]): Promise<void> {
    await this.forgetLogin(login);
    await this.deps.store.reset(addresses.map((address) => throttleKeys.mail(address)));
  }

  /** Refuses the attempt (429 locked, 428 challenge) or counts it and lets the password be checked. */
  async admitLogin(request: LoginRequest): Promise<LoginAttempt> {
    const { store } = this.deps;
    const keys = loginKeys(request.login, request.ip, this.rules);
    const state = await store.peek(keys.map((k) => k.key));
    const lockedFor = (k: CountedKey) => state.get(k.key)?.lockedFor ?? 0;
    const longest = keys.reduce((a, b) => (lockedFor(b) > lockedFor(a) ? b : a));
    if (lockedFor(longest) > 0)
      return this.refuseLocked(request, longest.scope, lockedFor(longest));
    await this.checkChallenge(request, keys, state);
    const hits = await store.hit(keys);
    const refused = hits.findIndex((hit) => !hit.admitted);
    if (refused >= 0) {
      // Another attempt locked a key since the look above: this one is not made, nor counted.
      await store.release(keys.filter((_, i) => hits[i]!.admitted));
      return this.refuseLocked(request, keys[refused]!.scope, hits[refused]!.lockedFor);
    }
    return {
      abandoned: () => this.takeBack(keys),
      failed: (reason, userId) => this.failed(request, keys, hits, reason, userId),
      proven: async () => {
        const ip = keys.find((k) => k.scope === 'ip');
        await store.proven(
          keys.filter((k) => k !== ip).map((k) => k.key),
          ip ? [ip] : [],
        );
      },
    };
  }

  /**
   * Takes an attempt back from its counters: at once, or retried with backoff until it goes through
   * or the counters' window has passed (they are forgotten then anyway). A failed login, not a failed
   * database, is what may lock an account or challenge an address.
   */
  private async takeBack(keys: CountedKey[]): Promise<void> {
    const { store, logger } = this.deps;
    try {
      await store.release(keys);
    } catch (err) {
      logger.warn(
        { err },
        'taking back a login attempt without a verdict once the database answers',
      );
      const until = Date.now() + 1000 * Math.min(...keys.map((k) => k.rule.windowSeconds));
      // The caller answers now; the retries run in the background.
      void this.retryTakeBack(keys, until);
    }
  }

  private async retryTakeBack(keys: CountedKey[], until: number): Promise<void> {
    const { store, logger } = this.deps;
    for (let delayMs = 250; Date.now() + delayMs <= until; delayMs = Math.min(2 * delayMs, 5_000)) {
      await new Promise((resolve) => setTimeout(resolve, delayMs).unref());
      try {
        await store.release(keys);
        logger.info('took back a login attempt without a verdict');
        return;
      } catch {
        // The database is still away: wait longer.
      }
    }
    logger.warn(
      'a login attempt without a verdict stays counted: the database did not answer in time',
    );
  }

  private async checkChallenge(
    request: LoginRequest,
    keys: CountedKey[],
    state: Map<string, CounterState>,
  ): Promise<void> {
    const { settings, challenges, store, metrics } = this.deps;
    const after = settings.challengeAfterFailures;
    const needed = keys.some(
      (k) => k.scope !== 'account_ip' && after > 0 && (state.get(k.key)?.failures ?? 0) >= after,
    );
    if (!needed) return;
    const solution = request.altcha ? await challenges.verify(request.altcha) : undefined;
    if (
      solution &&
      (await store.claimOnce(throttleKeys.solution(solution.id), solution.expiresAt))
    ) {
      metrics.challenge('solved');
      return;
    }
    metrics.challenge(request.altcha ? 'refused' : 'required');
    await this.auditRefusal(request, 'challenge_required', {
      challenge: request.altcha ? 'invalid' : 'missing',
    });
    throw authErrors.challengeRequired(request.altcha ? BAD_SOLUTION : CHALLENGE);
  }

  private async refuseLocked(
    request: LoginRequest,
    scope: ThrottleScope,
    lockedFor: number,
  ): Promise<never> {
    this.deps.metrics.throttled('login', scope);
    await this.auditRefusal(request, 'locked', { scope, retry_after: Math.ceil(lockedFor) });
    throw errors.tooManyRequests(lockedFor, LOCKED);
  }

  private auditRefusal(
    request: LoginRequest,
    reason: 'locked' | 'challenge_required',
    details: Record<string, string | number>,
  ): Promise<void> {
    return this.deps.audit.record({
      action: 'login',
      outcome: 'failure',
      reason,
      login: request.login,
      ip: request.ip,
      requestId: request.requestId,
      details,
    });
  }

  private async failed(
    request: LoginRequest,
    keys: CountedKey[],
    hits: Hit[],
    reason: 'unknown_login' | 'wrong_password',
    userId?: number,
  ): Promise<void> {
    const { audit, metrics } = this.deps;
    const common = { userId, ip: request.ip, requestId: request.requestId };
    await audit.record({
      action: 'login',
      outcome: 'failure',
      reason,
      login: request.login,
      ...common,
    });
    for (const [i, k] of keys.entries()) {
      const hit = hits[i]!;
      if (hit.lockedFor === 0) continue;
      metrics.lockout(k.scope);
      await audit.record({
        action: 'lockout',
        outcome: 'failure',
        reason: k.scope,
        login: k.scope === 'ip' ? undefined : request.login,
        ...common,
        details: { failures: hit.failures, lock_seconds: hit.lockedFor },
      });
    }
  }
}
