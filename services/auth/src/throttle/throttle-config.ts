import { dialectOf, type EnvReader, type Logger } from '@platform/common';
import type { DataSource } from 'typeorm';
import { PostgresThrottleStore } from './postgres-throttle-store.js';
import type { AuditTrail } from '../audit/audit-trail.js';
import { challengeHmacKey, Challenges } from './challenges.js';
import { MemoryThrottleStore } from './memory-throttle-store.js';
import type { AuthMetrics } from '../metrics/metrics.js';
import type { PrivateJwk } from '../sessions/signing-keys.js';
import { Throttle } from './throttle.js';
import type { ThrottleStore } from './throttle-store.js';
import {
  NIST_MAX_CONSECUTIVE_FAILURES,
  type FailureRule,
  type ThrottleSettings,
} from './throttle-policy.js';

const MANY = 1_000_000_000;

/** The brute-force settings of loadAuthConfig (documented in .env.example). */
export function readThrottleSettings(env: EnvReader): ThrottleSettings {
  // An account's threshold above the NIST cap would never be reached: the cap locks it first.
  const perAccount = { min: 1, max: NIST_MAX_CONSECUTIVE_FAILURES };
  return {
    maxFailures: {
      account: env.int('LOGIN_MAX_FAILURES_PER_ACCOUNT', { default: 10, ...perAccount }),
      ip: env.int('LOGIN_MAX_FAILURES_PER_IP', { default: 100, min: 1, max: MANY }),
      account_ip: env.int('LOGIN_MAX_FAILURES_PER_ACCOUNT_IP', { default: 5, ...perAccount }),
    },
    lockMaxSeconds: env.int('LOGIN_LOCK_MAX_SECONDS', { default: 900, min: 1, max: 86_400 }),
    failureWindowSeconds:
      env.int('LOGIN_FAILURE_WINDOW_MINUTES', { default: 60, min: 1, max: 7 * 24 * 60 }) * 60,
    registerPerMinute: env.int('REGISTER_RATE_PER_IP', { default: 10, min: 1, max: MANY }),
    refreshPerMinute: env.int('REFRESH_RATE_PER_IP', { default: 60, min: 1, max: MANY }),
    forgotPerMinute: env.int('FORGOT_PASSWORD_RATE_PER_IP', { default: 10, min: 1, max: MANY }),
    mailTokenPerMinute: env.int('MAIL_TOKEN_RATE_PER_IP', { default: 30, min: 1, max: MANY }),
    passkeyLoginPerMinute: env.int('PASSKEY_LOGIN_RATE_PER_IP', { default: 30, min: 1, max: MANY }),
    mailsPerAddressPerHour: env.int('MAIL_RATE_PER_ADDRESS', { default: 5, min: 1, max: MANY }),
    challengeAfterFailures: env.int('CHALLENGE_AFTER_FAILURES', { default: 3, min: 0, max: MANY }),
    challengeMaxNumber: env.int('CHALLENGE_MAX_NUMBER', {
      default: 100_000,
      min: 1000,
      max: 10_000_000,
    }),
  };
}

/**
 * The throttle of the composition root. Its store follows the database: Postgres shares the counters
 * between replicas; the embedded default (SQLite, one process) keeps them in memory. The challenge
 * HMAC key is derived from the signing keys (the signing one first), so replicas agree without a
 * secret of its own.
 */
export function createThrottle(opts: {
  settings: ThrottleSettings;
  factorRule: FailureRule;
  dataSource: DataSource;
  keys: readonly PrivateJwk[];
  signingKid: string;
  metrics: AuthMetrics;
  audit: AuditTrail;
  logger: Logger;
}): Throttle {
  const signer = opts.keys.filter((k) => k.kid === opts.signingKid);
  const others = opts.keys.filter((k) => k.kid !== opts.signingKid);
  return new Throttle({
    store: dialectOf(opts.dataSource).pick<() => ThrottleStore>({
      postgres: () => new PostgresThrottleStore(opts.dataSource),
      sqlite: () => new MemoryThrottleStore(),
    })(),
    settings: opts.settings,
    factorRule: opts.factorRule,
    challenges: new Challenges(
      [...signer, ...others].map((k) => challengeHmacKey(k.d)),
      opts.settings.challengeMaxNumber,
    ),
    metrics: opts.metrics,
    audit: opts.audit,
    logger: opts.logger,
  });
}
