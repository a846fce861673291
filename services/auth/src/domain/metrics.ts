import type { CleanupCounts } from './cleanup.js';

export type LoginReason = 'ok' | 'unknown_login' | 'wrong_password' | 'account_inactive';
export type RegistrationResult = 'created' | 'conflict' | 'invalid';
export type RefreshOutcome = 'rotated' | 'reuse_detected' | 'expired' | 'revoked' | 'invalid';
export type RevocationReason = 'logout' | 'reuse_detected' | 'deactivation';
export type PasswordOperation = 'hash' | 'verify';

/**
 * What the auth use cases count. The domain sees only this; the Prometheus implementation is built in
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
};
