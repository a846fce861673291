import {
  Counter,
  Histogram,
  registerScrapedGauges,
  type Logger,
  type Registry,
} from '@platform/common';
import type { Store } from '../data/store.js';
import type { CleanupCounts } from '../maintenance/cleanup.js';
import type {
  AuthMetrics,
  FactorMethod,
  LoginReason,
  MfaChange,
  PasskeyCeremony,
  RecoveryFlow,
  RecoveryOutcome,
} from './metrics.js';
import { ACCOUNT_EVENT_TYPES } from '../accounts/account-events.js';
import { REVOCATION_REASONS, SESSION_EVENT_TYPES } from '../sessions/session-events.js';
import { throttleMetrics } from '../throttle/throttle-metrics.js';

/** How long a scrape waits for each database read before it answers without those gauges. */
export const GAUGE_READ_TIMEOUT_MS = 2000;

const LOGIN_REASONS: LoginReason[] = [
  'ok',
  'unknown_login',
  'wrong_password',
  'account_inactive',
  'email_not_verified',
];
const RECOVERY: [RecoveryFlow, RecoveryOutcome[]][] = [
  ['password_reset', ['requested', 'completed', 'invalid_token']],
  ['password_change', ['completed', 'wrong_password']],
  ['email_verification', ['requested', 'completed', 'invalid_token']],
  ['email_change', ['requested', 'completed', 'wrong_password']],
  ['second_factor', ['wrong_password']],
  ['passkeys', ['wrong_password']],
];
const FACTOR_METHODS: FactorMethod[] = ['totp', 'recovery_code', 'webauthn'];
const MFA_CHANGES: [FactorMethod | 'all', MfaChange][] = [
  ['totp', 'enrolled'],
  ['totp', 'removed'],
  ['recovery_code', 'regenerated'],
  ['all', 'reset'],
];
const PASSKEY_CEREMONIES: PasskeyCeremony[] = ['registration', 'login', 'second_factor'];
const CLEANUP_TABLES: (keyof CleanupCounts)[] = [
  'token_blacklist',
  'sessions',
  'outbox',
  'login_throttle',
  'mail_tokens',
  'mail_queue',
  'mfa_tokens',
  'webauthn_challenges',
];

/**
 * The auth service's domain metrics on its registry. Every known label combination starts at 0, so a
 * rate() over it works from the first scrape and a missing series means a missing target.
 */
export function authMetrics(registry: Registry): AuthMetrics {
  const registers = [registry];
  const logins = new Counter({
    name: 'auth_logins_total',
    help: 'Login attempts that reached the credentials check, by result and reason.',
    labelNames: ['result', 'reason'] as const,
    registers,
  });
  const registrations = new Counter({
    name: 'auth_registrations_total',
    help: 'Registration attempts, by result (invalid: the body broke the contract or the password policy).',
    labelNames: ['result'] as const,
    registers,
  });
  const tokens = new Counter({
    name: 'auth_tokens_issued_total',
    help: 'Tokens handed to clients by register, login and refresh, by type.',
    labelNames: ['type'] as const,
    registers,
  });
  const refreshes = new Counter({
    name: 'auth_refreshes_total',
    help: 'Refresh attempts, by outcome.',
    labelNames: ['outcome'] as const,
    registers,
  });
  const revocations = new Counter({
    name: 'auth_revocations_total',
    help: 'Sessions ended, each with its tokens, by reason.',
    labelNames: ['reason'] as const,
    registers,
  });
  const published = new Counter({
    name: 'auth_events_published_total',
    help: 'Outbox events the broker accepted, by event type.',
    labelNames: ['type'] as const,
    registers,
  });
  const cleanupRuns = new Counter({
    name: 'auth_cleanup_runs_total',
    help: "Runs of the service's own cleanup timer, by result.",
    labelNames: ['result'] as const,
    registers,
  });
  const cleanupDeleted = new Counter({
    name: 'auth_cleanup_deleted_rows_total',
    help: "Rows deleted by the service's own cleanup timer, by table.",
    labelNames: ['table'] as const,
    registers,
  });
  const recoveries = new Counter({
    name: 'auth_account_recovery_total',
    help: 'Steps of password reset and change, address verification and email change, by outcome.',
    labelNames: ['flow', 'outcome'] as const,
    registers,
  });
  const passkeyCeremonies = new Counter({
    name: 'auth_passkey_ceremonies_total',
    help: 'WebAuthn ceremonies (registration, passwordless login, second factor), by step and outcome.',
    labelNames: ['ceremony', 'outcome'] as const,
    registers,
  });
  const passkeyChanges = new Counter({
    name: 'auth_passkey_changes_total',
    help: 'Passkeys added to accounts, renamed and removed by their owners.',
    labelNames: ['change'] as const,
    registers,
  });
  const erasures = new Counter({
    name: 'auth_account_erasures_total',
    help: 'Accounts erased, by who asked (self, operator), and self-erasures refused for a wrong password.',
    labelNames: ['outcome'] as const,
    registers,
  });
  const exports = new Counter({
    name: 'auth_account_exports_total',
    help: "Exports of an account's data (GET /account/export).",
    registers,
  });
  const hashing = new Histogram({
    name: 'auth_password_hash_duration_seconds',
    help: 'Time spent in argon2id, by operation (verify includes the decoy check of unknown logins).',
    labelNames: ['operation'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers,
  });

  const mfaChallenges = new Counter({
    name: 'auth_mfa_challenges_total',
    help: 'Logins with the right password answered with a second-factor step: mfa_required or enrolment_required.',
    labelNames: ['kind'] as const,
    registers,
  });
  const mfaVerifications = new Counter({
    name: 'auth_mfa_verifications_total',
    help: 'Second factors tried at a login, by method and outcome.',
    labelNames: ['method', 'outcome'] as const,
    registers,
  });
  const mfaChanges = new Counter({
    name: 'auth_mfa_changes_total',
    help: "Changes of accounts' second factors: enrolled, removed, recovery codes regenerated, reset by an administrator.",
    labelNames: ['method', 'change'] as const,
    registers,
  });
  for (const kind of ['mfa_required', 'enrolment_required']) mfaChallenges.inc({ kind }, 0);
  for (const method of FACTOR_METHODS)
    for (const outcome of ['success', 'failure']) mfaVerifications.inc({ method, outcome }, 0);
  for (const [method, change] of MFA_CHANGES) mfaChanges.inc({ method, change }, 0);

  for (const reason of LOGIN_REASONS) logins.inc(loginLabels(reason), 0);
  for (const result of ['created', 'conflict', 'invalid']) registrations.inc({ result }, 0);
  for (const type of ['access', 'refresh']) tokens.inc({ type }, 0);
  for (const outcome of ['rotated', 'reissued', 'reuse_detected', 'expired', 'revoked', 'invalid'])
    refreshes.inc({ outcome }, 0);
  for (const reason of REVOCATION_REASONS) revocations.inc({ reason }, 0);
  for (const type of [...ACCOUNT_EVENT_TYPES, ...SESSION_EVENT_TYPES]) published.inc({ type }, 0);
  for (const result of ['success', 'failure']) cleanupRuns.inc({ result }, 0);
  for (const table of CLEANUP_TABLES) cleanupDeleted.inc({ table }, 0);
  for (const operation of ['hash', 'verify']) hashing.zero({ operation });
  for (const outcome of ['self', 'operator', 'wrong_password']) erasures.inc({ outcome }, 0);
  exports.inc(0);
  for (const [flow, outcomes] of RECOVERY)
    for (const outcome of outcomes) recoveries.inc({ flow, outcome }, 0);
  for (const ceremony of PASSKEY_CEREMONIES)
    for (const outcome of ['started', 'succeeded', 'failed'])
      passkeyCeremonies.inc({ ceremony, outcome }, 0);
  for (const change of ['added', 'renamed', 'removed']) passkeyChanges.inc({ change }, 0);

  return {
    login: (reason) => logins.inc(loginLabels(reason)),
    registration: (result) => registrations.inc({ result }),
    tokenPairIssued: () => {
      tokens.inc({ type: 'access' });
      tokens.inc({ type: 'refresh' });
    },
    refresh: (outcome) => refreshes.inc({ outcome }),
    sessionsRevoked: (reason, sessions) => revocations.inc({ reason }, sessions),
    eventPublished: (type) => published.inc({ type }),
    cleanupRun: (result, deleted) => {
      cleanupRuns.inc({ result });
      for (const table of CLEANUP_TABLES) {
        if (deleted?.[table]) cleanupDeleted.inc({ table }, deleted[table]);
      }
    },
    passwordHashed: (operation, seconds) => hashing.observe({ operation }, seconds),
    recovery: (flow, outcome) => recoveries.inc({ flow, outcome }),
    mfaChallenge: (kind) => mfaChallenges.inc({ kind }),
    mfaVerification: (method, outcome) => mfaVerifications.inc({ method, outcome }),
    mfaChange: (method, change) => mfaChanges.inc({ method, change }),
    passkeyCeremony: (ceremony, outcome) => passkeyCeremonies.inc({ ceremony, outcome }),
    passkeyChange: (change) => passkeyChanges.inc({ change }),
    erasure: (outcome) => erasures.inc({ outcome }),
    exported: () => exports.inc(),
    ...throttleMetrics(registry),
  };
}

function loginLabels(reason: LoginReason) {
  return { result: reason === 'ok' ? 'success' : 'failure', reason };
}

/**
 * The gauges read from the database when Prometheus scrapes: the outbox backlog and the blacklist. Each
 * group is one or two indexed queries, bounded by `timeoutMs`; a group whose read fails or times out is
 * left out of that scrape and logged, and the rest of the scrape is answered as usual.
 */
export function registerAuthGauges(
  registry: Registry,
  store: Store,
  logger: Logger,
  timeoutMs = GAUGE_READ_TIMEOUT_MS,
): void {
  const { outbox, sessions } = store.repos;
  registerScrapedGauges(
    registry,
    {
      name: 'outbox',
      gauges: {
        pending: {
          name: 'auth_outbox_pending_events',
          help: 'Events written to the outbox and not yet published (read from the database at scrape time).',
        },
        oldestAge: {
          name: 'auth_outbox_oldest_pending_age_seconds',
          help: 'Age of the oldest unpublished outbox event; 0 when none waits (read at scrape time).',
        },
      },
      read: async () => {
        const [pending, oldest] = await Promise.all([
          outbox.pendingCount(),
          outbox.oldestPendingCreatedAt(),
        ]);
        const oldestAge = oldest ? Math.max(0, (Date.now() - oldest.getTime()) / 1000) : 0;
        return { pending, oldestAge };
      },
    },
    { timeoutMs, logger },
  );
  registerScrapedGauges(
    registry,
    {
      name: 'blacklist',
      gauges: {
        size: {
          name: 'auth_blacklist_size',
          help: 'Rows in the token blacklist, expired ones not yet cleaned up included (read at scrape time).',
        },
      },
      read: async () => ({ size: await sessions.blacklistSize() }),
    },
    { timeoutMs, logger },
  );
}
