import { EntitySchema } from 'typeorm';

// Entities stay inside the data layer: repositories turn them into plain records.

export interface AccountRow {
  id: number;
  login: string;
  login_lower: string;
  email: string;
  email_lower: string;
  hashed_password: string;
  is_active: boolean;
  email_verified: boolean;
  locale: string;
  /** The message id of the `Account Deactivate` of the latest deactivation. */
  deactivation_event_id: string | null;
  created_at: Date;
  updated_at: Date;
}

export const AccountEntity = new EntitySchema<AccountRow>({
  name: 'Account',
  tableName: 'auth_info',
  columns: {
    id: { type: 'integer', primary: true, generated: 'increment' },
    login: { type: String, length: 30 },
    login_lower: { type: String, length: 30 },
    email: { type: String, length: 254 },
    email_lower: { type: String, length: 254 },
    hashed_password: { type: String, length: 255 },
    is_active: { type: Boolean, default: true },
    email_verified: { type: Boolean, default: false },
    locale: { type: String, length: 8, default: 'en' },
    deactivation_event_id: { type: String, length: 36, nullable: true },
    created_at: { type: Date },
    updated_at: { type: Date },
  },
});

export interface RoleRow {
  id: number;
  name: string;
  description: string;
}

export const RoleEntity = new EntitySchema<RoleRow>({
  name: 'Role',
  tableName: 'roles',
  columns: {
    id: { type: 'integer', primary: true, generated: 'increment' },
    name: { type: String, length: 50 },
    description: { type: String, length: 255 },
  },
});

export interface UserRoleRow {
  user_id: number;
  role_id: number;
  granted_at: Date;
}

export const UserRoleEntity = new EntitySchema<UserRoleRow>({
  name: 'UserRole',
  tableName: 'user_roles',
  columns: {
    user_id: { type: 'integer', primary: true },
    role_id: { type: 'integer', primary: true },
    granted_at: { type: Date },
  },
});

export interface BlacklistRow {
  id: number;
  jti: string;
  user_id: number;
  expires_at: Date;
  blacklisted_at: Date;
}

export const BlacklistEntity = new EntitySchema<BlacklistRow>({
  name: 'BlacklistedToken',
  tableName: 'token_blacklist',
  columns: {
    id: { type: 'integer', primary: true, generated: 'increment' },
    jti: { type: String, length: 64 },
    user_id: { type: 'integer' },
    expires_at: { type: Date },
    blacklisted_at: { type: Date },
  },
});

export interface SessionRow {
  id: string;
  user_id: number;
  refresh_jti: string;
  created_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
  revoked_reason: string | null;
  ip: string | null;
  user_agent: string | null;
  refreshed_at: Date | null;
  previous_refresh_jti: string | null;
  access_jti: string | null;
  /** How the session's login was proven, comma-separated (`pwd`, `pwd,otp,mfa`). */
  amr: string;
  /** Its authenticator assurance level: 1 a password, 2 a second factor too. */
  aal: number;
}

export const SessionEntity = new EntitySchema<SessionRow>({
  name: 'Session',
  tableName: 'sessions',
  columns: {
    id: { type: String, length: 36, primary: true },
    user_id: { type: 'integer' },
    refresh_jti: { type: String, length: 64 },
    created_at: { type: Date },
    expires_at: { type: Date },
    revoked_at: { type: Date, nullable: true },
    revoked_reason: { type: String, length: 64, nullable: true },
    ip: { type: String, length: 64, nullable: true },
    user_agent: { type: String, length: 512, nullable: true },
    refreshed_at: { type: Date, nullable: true },
    previous_refresh_jti: { type: String, length: 64, nullable: true },
    access_jti: { type: String, length: 64, nullable: true },
    amr: { type: String, length: 64, default: 'pwd' },
    aal: { type: 'integer', default: 1 },
  },
});

export interface OutboxRow {
  id: number;
  message_id: string;
  event_type: string;
  aggregate_id: number;
  payload: string;
  correlation_id: string | null;
  created_at: Date;
  sent_at: Date | null;
  attempts: number;
  last_error: string | null;
}

export const OutboxEntity = new EntitySchema<OutboxRow>({
  name: 'OutboxMessage',
  tableName: 'outbox',
  columns: {
    id: { type: 'integer', primary: true, generated: 'increment' },
    message_id: { type: String, length: 36 },
    event_type: { type: String, length: 64 },
    aggregate_id: { type: 'integer' },
    payload: { type: 'text' },
    correlation_id: { type: String, length: 128, nullable: true },
    created_at: { type: Date },
    sent_at: { type: Date, nullable: true },
    attempts: { type: 'integer', default: 0 },
    last_error: { type: 'text', nullable: true },
  },
});

/** The audit trail; see audit/audit-trail.ts. */
export interface AuditRow {
  id: number;
  occurred_at: Date;
  action: string;
  outcome: string;
  reason: string | null;
  user_id: number | null;
  actor_id: number | null;
  login: string | null;
  ip: string | null;
  request_id: string | null;
  details: string | null;
}

export const AuditEntity = new EntitySchema<AuditRow>({
  name: 'AuditRecord',
  tableName: 'audit_log',
  columns: {
    id: { type: 'integer', primary: true, generated: 'increment' },
    occurred_at: { type: Date },
    action: { type: String, length: 32 },
    outcome: { type: String, length: 16 },
    reason: { type: String, length: 64, nullable: true },
    user_id: { type: 'integer', nullable: true },
    actor_id: { type: 'integer', nullable: true },
    login: { type: String, length: 64, nullable: true },
    ip: { type: String, length: 64, nullable: true },
    request_id: { type: String, length: 128, nullable: true },
    details: { type: 'text', nullable: true },
  },
});

/** A single-use token sent in a mail; only its hash is kept (see recovery/mail-token-repository.ts). */
export interface MailTokenRow {
  id: number;
  user_id: number;
  purpose: string;
  token_hash: string;
  email: string;
  created_at: Date;
  expires_at: Date;
  ended_at: Date | null;
  end_reason: string | null;
}

export const MailTokenEntity = new EntitySchema<MailTokenRow>({
  name: 'MailToken',
  tableName: 'mail_tokens',
  columns: {
    id: { type: 'integer', primary: true, generated: 'increment' },
    user_id: { type: 'integer' },
    purpose: { type: String, length: 16 },
    token_hash: { type: String, length: 64 },
    email: { type: String, length: 254 },
    created_at: { type: Date },
    expires_at: { type: Date },
    ended_at: { type: Date, nullable: true },
    end_reason: { type: String, length: 32, nullable: true },
  },
});

/** A forgot-password request waiting to be resolved (see recovery/password-reset.ts). */
export interface PasswordResetRequestRow {
  id: number;
  email_lower: string;
  ip: string | null;
  request_id: string | null;
  created_at: Date;
}

export const PasswordResetRequestEntity = new EntitySchema<PasswordResetRequestRow>({
  name: 'PasswordResetRequest',
  tableName: 'password_reset_requests',
  columns: {
    id: { type: 'integer', primary: true, generated: 'increment' },
    email_lower: { type: String, length: 254 },
    ip: { type: String, length: 64, nullable: true },
    request_id: { type: String, length: 128, nullable: true },
    created_at: { type: Date },
  },
});

/** A rendered mail waiting for the courier, or delivered (its body then deleted). */
export interface MailQueueRow {
  id: number;
  template: string;
  to_address: string;
  subject: string;
  text_body: string | null;
  html_body: string | null;
  correlation_id: string | null;
  created_at: Date;
  attempts: number;
  next_attempt_at: Date;
  lease_until: Date | null;
  sent_at: Date | null;
  failed_at: Date | null;
  last_error: string | null;
}

export const MailQueueEntity = new EntitySchema<MailQueueRow>({
  name: 'QueuedMail',
  tableName: 'mail_queue',
  columns: {
    id: { type: 'integer', primary: true, generated: 'increment' },
    template: { type: String, length: 40 },
    to_address: { type: String, length: 254 },
    subject: { type: String, length: 255 },
    text_body: { type: 'text', nullable: true },
    html_body: { type: 'text', nullable: true },
    correlation_id: { type: String, length: 128, nullable: true },
    created_at: { type: Date },
    attempts: { type: 'integer', default: 0 },
    next_attempt_at: { type: Date },
    lease_until: { type: Date, nullable: true },
    sent_at: { type: Date, nullable: true },
    failed_at: { type: Date, nullable: true },
    last_error: { type: String, length: 1000, nullable: true },
  },
});

/** An account's TOTP authenticator (see factors/); one per account. */
export interface TotpFactorRow {
  user_id: number;
  /** The base32 secret sealed by SecretBox (AES-256-GCM), never in clear. */
  secret_sealed: string;
  created_at: Date;
  /** Null while the enrolment waits for its first code. */
  confirmed_at: Date | null;
  /** The last time step a code was accepted for: no code of it or before is accepted again. */
  last_step: number | null;
}

export const TotpFactorEntity = new EntitySchema<TotpFactorRow>({
  name: 'TotpFactor',
  tableName: 'totp_factors',
  columns: {
    user_id: { type: 'integer', primary: true },
    secret_sealed: { type: String, length: 255 },
    created_at: { type: Date },
    confirmed_at: { type: Date, nullable: true },
    last_step: { type: 'integer', nullable: true },
  },
});

export interface RecoveryCodeRow {
  id: number;
  user_id: number;
  /** The MFA key the hash was made with. */
  kid: string;
  code_hash: string;
  created_at: Date;
  used_at: Date | null;
}

export const RecoveryCodeEntity = new EntitySchema<RecoveryCodeRow>({
  name: 'RecoveryCode',
  tableName: 'recovery_codes',
  columns: {
    id: { type: 'integer', primary: true, generated: 'increment' },
    user_id: { type: 'integer' },
    kid: { type: String, length: 32 },
    code_hash: { type: String, length: 64 },
    created_at: { type: Date },
    used_at: { type: Date, nullable: true },
  },
});

/** The single-use token of a login waiting for its second factor (or for an enrolment). */
export interface MfaTokenRow {
  id: number;
  token_hash: string;
  user_id: number;
  purpose: string;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
}

/** An account's WebAuthn user handle (see passkeys/passkey-repository.ts). */
export interface WebAuthnUserHandleRow {
  user_id: number;
  user_handle: string;
  created_at: Date;
}

export const WebAuthnUserHandleEntity = new EntitySchema<WebAuthnUserHandleRow>({
  name: 'WebAuthnUserHandle',
  tableName: 'webauthn_user_handles',
  columns: {
    user_id: { type: 'integer', primary: true },
    user_handle: { type: String, length: 64 },
    created_at: { type: Date },
  },
});

/** A registered passkey: its credential id, public key and sign count. */
export interface PasskeyRow {
  id: number;
  user_id: number;
  credential_id: string;
  public_key: string;
  /** A bigint: Postgres hands it back as a string. */
  sign_count: number | string;
  transports: string;
  name: string;
  backed_up: boolean;
  device_type: string;
  aaguid: string;
  created_at: Date;
  last_used_at: Date | null;
}

export const PasskeyEntity = new EntitySchema<PasskeyRow>({
  name: 'Passkey',
  tableName: 'passkeys',
  columns: {
    id: { type: 'integer', primary: true, generated: 'increment' },
    user_id: { type: 'integer' },
    credential_id: { type: String, length: 1400 },
    public_key: { type: 'text' },
    sign_count: { type: 'bigint', default: 0 },
    transports: { type: String, length: 255, default: '' },
    name: { type: String, length: 64 },
    backed_up: { type: Boolean, default: false },
    device_type: { type: String, length: 16 },
    aaguid: { type: String, length: 36 },
    created_at: { type: Date },
    last_used_at: { type: Date, nullable: true },
  },
});

/** The challenge of a WebAuthn ceremony in progress (see passkeys/challenge-repository.ts). */
export interface WebAuthnChallengeRow {
  id: string;
  ceremony: string;
  user_id: number | null;
  challenge: string;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
}

export const MfaTokenEntity = new EntitySchema<MfaTokenRow>({
  name: 'MfaToken',
  tableName: 'mfa_tokens',
  columns: {
    id: { type: 'integer', primary: true, generated: 'increment' },
    token_hash: { type: String, length: 64 },
    user_id: { type: 'integer' },
    purpose: { type: String, length: 16 },
    created_at: { type: Date },
    expires_at: { type: Date },
    used_at: { type: Date, nullable: true },
  },
});

export const WebAuthnChallengeEntity = new EntitySchema<WebAuthnChallengeRow>({
  name: 'WebAuthnChallenge',
  tableName: 'webauthn_challenges',
  columns: {
    id: { type: String, length: 36, primary: true },
    ceremony: { type: String, length: 16 },
    user_id: { type: 'integer', nullable: true },
    challenge: { type: String, length: 128 },
    created_at: { type: Date },
    expires_at: { type: Date },
    used_at: { type: Date, nullable: true },
  },
});

export const entities = [
  AccountEntity,
  RoleEntity,
  UserRoleEntity,
  BlacklistEntity,
  SessionEntity,
  OutboxEntity,
  AuditEntity,
  MailTokenEntity,
  PasswordResetRequestEntity,
  MailQueueEntity,
  TotpFactorEntity,
  RecoveryCodeEntity,
  MfaTokenEntity,
  WebAuthnUserHandleEntity,
  PasskeyEntity,
  WebAuthnChallengeEntity,
];
