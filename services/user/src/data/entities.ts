import { EntitySchema } from 'typeorm';

export interface ProfileRow {
  id: number;
  auth_id: number;
  display_name: string;
  bio: string | null;
  is_active: boolean;
  created_at: Date;
  updated_at: Date;
}

export const ProfileEntity = new EntitySchema<ProfileRow>({
  name: 'Profile',
  tableName: 'user_profiles',
  columns: {
    id: { type: 'integer', primary: true, generated: 'increment' },
    auth_id: { type: 'integer' },
    display_name: { type: String, length: 30 },
    bio: { type: String, length: 500, nullable: true },
    is_active: { type: Boolean, default: true },
    created_at: { type: Date },
    updated_at: { type: Date },
  },
});

/** Message ids already applied: the consumer's idempotency record. */
export interface ProcessedMessageRow {
  message_id: string;
  event_type: string;
  processed_at: Date;
}

export const ProcessedMessageEntity = new EntitySchema<ProcessedMessageRow>({
  name: 'ProcessedMessage',
  tableName: 'processed_messages',
  columns: {
    message_id: { type: String, length: 36, primary: true },
    event_type: { type: String, length: 64 },
    processed_at: { type: Date },
  },
});

/** A deactivation that arrived before the profile existed. */
export interface DeactivatedAccountRow {
  auth_id: number;
  deactivated_at: Date;
}

export const DeactivatedAccountEntity = new EntitySchema<DeactivatedAccountRow>({
  name: 'DeactivatedAccount',
  tableName: 'deactivated_accounts',
  columns: {
    auth_id: { type: 'integer', primary: true },
    deactivated_at: { type: Date },
  },
});

/** A session the auth service ended (a `Sessions Revoked` event). */
export interface RevokedSessionRow {
  session_id: string;
  auth_id: number;
  reason: string;
  expires_at: Date;
  revoked_at: Date;
}

export const RevokedSessionEntity = new EntitySchema<RevokedSessionRow>({
  name: 'RevokedSession',
  tableName: 'revoked_sessions',
  columns: {
    session_id: { type: String, length: 36, primary: true },
    auth_id: { type: 'integer' },
    reason: { type: String, length: 32 },
    expires_at: { type: Date },
    revoked_at: { type: Date },
  },
});

/** An erased account (`Account Erased`): nothing of it is created again. */
export interface ErasedAccountRow {
  auth_id: number;
  erased_at: Date;
}

export const ErasedAccountEntity = new EntitySchema<ErasedAccountRow>({
  name: 'ErasedAccount',
  tableName: 'erased_accounts',
  columns: {
    auth_id: { type: 'integer', primary: true },
    erased_at: { type: Date },
  },
});

export const entities = [
  ProfileEntity,
  ProcessedMessageEntity,
  DeactivatedAccountEntity,
  RevokedSessionEntity,
  ErasedAccountEntity,
];
