import type { RevocationReason } from '../sessions/session-events.js';
import type { CleanupCounts } from '../maintenance/cleanup.js';
import type { ThrottleScope } from '../throttle/throttle-policy.js';

export type LoginReason =
  'ok' | 'unknown_login' | 'wrong_password' | 'account_inactive' | 'email_not_verified';
export type RecoveryFlow =
  | 'password_reset'
  | 'password_change'
  | 'email_verification'
  | 'email_change'
  | 'second_factor'
  | 'passkeys';
export type PasskeyCeremony = 'registration' | 'login' | 'second_factor';
/** started: options handed out; succeeded: the response passed; failed: it was refused. */
export type PasskeyOutcome = 'started' | 'succeeded' | 'failed';
export type PasskeyChange = 'added' | 'renamed' | 'removed';
/**
 * requested: a mail asked for (or, for a forgot-password request, taken in); completed: the change
 * made; invalid_token: a mailed link's token refused; wrong_password: the current password was wrong.
 */
export type RecoveryOutcome = 'requested' | 'completed' | 'invalid_token' | 'wrong_password';
export type RegistrationResult = 'created' | 'conflict' | 'invalid';
/** reissued: a rotated token presented again within the reuse interval got its successor again. */
export type RefreshOutcome =
  'rotated' | 'reissued' | 'reuse_detected' | 'expired' | 'revoked' | 'invalid';
export type { RevocationReason } from '../sessions/session-events.js';
export type PasswordOperation = 'hash' | 'verify';
export type ThrottledOperation =
  'login' | 'register' | 'refresh' | 'forgot' | 'mail_token' | 'mail' | 'mfa' | 'passkey_login';
/** What refused a throttled request: a failure counter's key, or the target address of a mail. */
export type ThrottledScope = ThrottleScope | 'address';
export type ErasureOutcome = 'self' | 'operator' | 'wrong_password';
export type ChallengeOutcome = 'issued' | 'required' | 'refused' | 'solved';
/** The second factors a login can be proven with (`webauthn` joins with passkeys). */
export type FactorMethod = 'totp' | 'recovery_code' | 'webauthn';
/** A login whose password was right that then had to prove a factor, or enrol one first. */
export type MfaChallenge = 'mfa_required' | 'enrolment_required';
export type MfaChange = 'enrolled' | 'removed' | 'regenerated' | 'reset';

/**
 * What the auth use cases count. They see only this; the Prometheus implementation is built in
 * the composition root (metrics/auth-metrics.ts), and tools that nothing scrapes use `noAuthMetrics`.
 */
export interface AuthMetrics {
  /** A login attempt that got as far as the credentials check, by outcome (`ok` is a success). */
  login(reason: LoginReason): void;
  registration(result: RegistrationResult): void;
  /** An access and a refresh token handed to a client. */
  tokenPairIssued(): void;
  refresh(outcome: RefreshOutcome): void;
  /** Sessions ended (each with its tokens), by why. */
  sessionsRevoked(reason: RevocationReason, sessions: number): void;
  eventPublished(type: string): void;
  cleanupRun(result: 'success' | 'failure', deleted?: CleanupCounts): void;
  passwordHashed(operation: PasswordOperation, seconds: number): void;
  /** A request refused by a lock or a rate limit (429), by operation and the key that refused it. */
  throttled(operation: ThrottledOperation, scope: ThrottledScope): void;
  /** A failed login that locked a failure counter's key (`mfa`: a second factor's). */
  lockout(scope: ThrottleScope | 'mfa'): void;
  /** Challenges issued, logins refused without one (428), with a bad or used one (428), or solved. */
  challenge(outcome: ChallengeOutcome): void;
  /** Steps of account recovery and address proof. */
  recovery(flow: RecoveryFlow, outcome: RecoveryOutcome): void;
  /** A login answered with a second-factor step instead of a session. */
  mfaChallenge(kind: MfaChallenge): void;
  /** A second factor tried at a login, by method and outcome. */
  mfaVerification(method: FactorMethod, outcome: 'success' | 'failure'): void;
  /** An account's factors changed. */
  mfaChange(method: FactorMethod | 'all', change: MfaChange): void;
  /** Steps of the WebAuthn ceremonies. */
  passkeyCeremony(ceremony: PasskeyCeremony, outcome: PasskeyOutcome): void;
  /** Passkeys added to accounts, renamed, removed. */
  passkeyChange(change: PasskeyChange): void;
  /** An account erased, by whom (`self` or `operator`), or refused for a wrong password. */
  erasure(outcome: ErasureOutcome): void;
  /** An account's data exported (GET /account/export). */
  exported(): void;
}

const ignore = () => undefined;

export const noAuthMetrics: AuthMetrics = {
  login: ignore,
  registration: ignore,
  tokenPairIssued: ignore,
  refresh: ignore,
  sessionsRevoked: ignore,
  eventPublished: ignore,
  cleanupRun: ignore,
  passwordHashed: ignore,
  throttled: ignore,
  lockout: ignore,
  challenge: ignore,
  recovery: ignore,
  mfaChallenge: ignore,
  mfaVerification: ignore,
  mfaChange: ignore,
  passkeyCeremony: ignore,
  passkeyChange: ignore,
  erasure: ignore,
  exported: ignore,
};
