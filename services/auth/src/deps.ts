import type { Logger } from '@platform/common';
import type { Store } from './data/store.js';
import type { AuditTrail } from './audit/audit-trail.js';
import type { AuthMetrics } from './metrics/metrics.js';
import type { PasswordPolicy } from './accounts/password-policy.js';
import type { PasswordHasher } from './accounts/passwords.js';
import type { Throttle } from './throttle/throttle.js';
import type { TokenService } from './sessions/tokens.js';
import type { RecoverySettings } from './recovery/recovery-config.js';
import type { SessionSettings } from './sessions/session-config.js';
import type { MfaSettings } from './factors/mfa-config.js';
import type { SecretBox } from './factors/secret-box.js';
import type { WebAuthnSettings } from './passkeys/webauthn-config.js';

/** What the use cases need, built once in the composition root and passed in. */
export interface AuthDeps {
  store: Store;
  tokens: TokenService;
  passwords: PasswordHasher;
  /** The rules a new password must meet (PASSWORD_POLICY). */
  passwordPolicy: PasswordPolicy;
  /** Called after a commit that wrote events, so the relay publishes them at once. */
  eventsWritten: () => void;
  /** Called after a commit that queued mails, so an in-process courier delivers them at once. */
  mailsWritten: () => void;
  /** Mailed links and address verification (EMAIL_VERIFICATION, APP_BASE_URL, lifetimes). */
  recovery: RecoverySettings;
  /** The refresh reuse interval (REFRESH_REUSE_INTERVAL_SECONDS). */
  sessions: SessionSettings;
  /** The relying party of passkeys (WEBAUTHN_RP_ID, WEBAUTHN_ORIGINS, ...). */
  webauthn: WebAuthnSettings;
  logger: Logger;
  metrics: AuthMetrics;
  audit: AuditTrail;
  /** Brute-force locks, per-IP rate limits and the login challenge. */
  throttle: Throttle;
  /** Second factors: their settings, and the box that seals TOTP secrets at rest. */
  mfa: { settings: MfaSettings; box: SecretBox };
  /** The database time of a request (DATABASE_TIMEOUT_MS); a streamed export gets it per batch. */
  databaseTimeoutMs: number;
}

/** Who sent the request that started a use case: for rate limits, brute-force counters and the audit trail. */
export interface RequestContext {
  ip: string;
  requestId: string;
}
