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

export const entities = [
  AccountEntity,
  RoleEntity,
  UserRoleEntity,
  BlacklistEntity,
  SessionEntity,
  OutboxEntity,
  AuditEntity,
];
