import type { Logger } from '@platform/common';

/** What the audit trail records (ASVS 16.3.1): authentication decisions and changes to access. */
export type AuditAction =
  | 'login'
  | 'lockout'
  | 'refresh_token_reuse'
  | 'logout'
  | 'sessions_revoked'
  | 'role_granted'
  | 'role_revoked'
  | 'account_deactivated'
  | 'account_reactivated'
  | 'lockout_lifted'
  | 'account_erased'
  | 'account_exported'
  | 'password_reset_requested'
  | 'password_reset'
  | 'password_changed'
  | 'email_verification_sent'
  | 'email_verified'
  | 'email_change_requested'
  | 'email_changed'
  | 'mfa_challenge'
  | 'mfa_verification'
  | 'mfa_enrolment_started'
  | 'mfa_enrolled'
  | 'mfa_removed'
  | 'recovery_codes_regenerated'
  | 'mfa_reset'
  | 'passkey_registered'
  | 'passkey_renamed'
  | 'passkey_removed';

/**
 * One audit record. Never put a password or a token in it: `reason` is a reason code, `details` holds
 * ids and counts.
 */
export interface AuditEntry {
  action: AuditAction;
  outcome: 'success' | 'failure';
  /** A stable reason code (`wrong_password`, `refresh_token_reuse`, `admin`, ...). */
  reason?: string | undefined;
  /** The account concerned, when known. */
  userId?: number | null | undefined;
  /** Who acted, when it is not the account itself (an administrator). */
  actorId?: number | null | undefined;
  /** The login that was tried, for failed logins (the account may not exist). */
  login?: string | undefined;
  ip?: string | undefined;
  requestId?: string | undefined;
  details?: Record<string, string | number | boolean> | undefined;
}

/** Where records are stored: the audit table, outside or inside a transaction. */
export interface AuditLog {
  append(entry: AuditEntry): Promise<void>;
}

export interface AuditTrail {
  /**
   * Appends the record to `into`, a transaction's audit log when given (so the record commits or
   * rolls back with the change it describes), else the service's own, and writes it to the log.
   */
  record(entry: AuditEntry, into?: AuditLog): Promise<void>;
  /**
   * Writes the log line of a record the caller has appended itself, in the statement that makes the
   * change it describes (a login's session and its record).
   */
  log(entry: AuditEntry): void;
}

/** The audit trail on the service's own database (`audit_log`, append-only) and its log. */
export function auditTrail(auditLog: AuditLog, logger: Logger): AuditTrail {
  const log = logger.child({ audit: true });
  const trail: AuditTrail = {
    async record(entry, into) {
      await (into ?? auditLog).append(entry);
      trail.log(entry);
    },
    log(entry) {
      log.info(
        {
          action: entry.action,
          outcome: entry.outcome,
          reason: entry.reason,
          userId: entry.userId ?? undefined,
          actorId: entry.actorId ?? undefined,
          login: entry.login,
          ip: entry.ip,
          requestId: entry.requestId,
          ...entry.details,
        },
        `audit: ${entry.action} ${entry.outcome}`,
      );
    },
  };
  return trail;
}
