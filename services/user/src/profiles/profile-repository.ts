import type { EntityManager } from 'typeorm';
import { statement, type SqlDialect } from '@platform/common';
import {
  DeactivatedAccountEntity,
  ProcessedMessageEntity,
  ProfileEntity,
  type ProfileRow,
} from '../data/entities.js';

export interface Profile {
  id: number;
  authId: number;
  displayName: string;
  bio: string | null;
  isActive: boolean;
}

/**
 * The parameters enter once, as the columns of a one-row table the lookups join: SQLite (built with
 * STAT4) recompiles a statement on every execution whose LEFT JOIN compares with a bound parameter
 * directly (the plan might depend on its value), which cost five times the lookups themselves.
 */
const CALLER_STATE = statement(
  (p) => `SELECT r.reason AS revoked, e.auth_id AS erased,
                 p.id, p.auth_id, p.display_name, p.bio, p.is_active
            FROM (SELECT CAST(${p(1)} AS VARCHAR) AS session_id,
                         CAST(${p(2)} AS INTEGER) AS auth_id) AS caller
            LEFT JOIN revoked_sessions r ON r.session_id = caller.session_id
            LEFT JOIN erased_accounts e ON e.auth_id = caller.auth_id
            LEFT JOIN user_profiles p ON p.auth_id = caller.auth_id`,
);

const PROFILE_BY_AUTH_ID = statement(
  (p) =>
    `SELECT id, auth_id, display_name, bio, is_active FROM user_profiles WHERE auth_id = ${p(1)}`,
);

const SET_BIO = statement(
  (p) => `UPDATE user_profiles SET bio = ${p(1)}, updated_at = ${p(2)} WHERE auth_id = ${p(3)}
          RETURNING id, auth_id, display_name, bio, is_active`,
);

/** The first key of the two-key advisory locks that stand for accounts (any fixed int4 would do). */
const ACCOUNT_LOCK_SPACE = 0x75736572; // 'user'

export class ProfileRepository {
  constructor(
    private readonly db: EntityManager,
    private readonly sql: SqlDialect,
  ) {}

  /**
   * Inside a transaction: waits for, then holds until the end of the transaction, the account's lock.
   * On Postgres the consumer handles several messages at once, and two transactions about one account
   * (a Register and its Account Deactivate, or two Registers) would each miss the other's uncommitted
   * rows: the profile would stay active, or the second message be acknowledged unrecorded. SQLite needs
   * no lock: its transactions take turns.
   */
  lockAccount(authId: number): Promise<void> {
    return this.sql.lock(this.db, ACCOUNT_LOCK_SPACE, authId);
  }

  /**
   * On every authenticated request, one round trip: why the caller's session was revoked (if it was),
   * whether the account was erased, and the caller's profile (null before its Register event).
   */
  async callerState(
    authId: number,
    sessionId: string,
  ): Promise<{ revoked: string | undefined; erased: boolean; profile: Profile | null }> {
    const rows = await this.sql.query<
      ProfileRow & { revoked: string | null; erased: number | null }
    >(this.db, CALLER_STATE, [sessionId, authId]);
    const row = rows[0]!;
    return {
      revoked: row.revoked ?? undefined,
      erased: row.erased !== null && row.erased !== undefined,
      profile: row.id === null || row.id === undefined ? null : toProfile(row),
    };
  }

  async findByAuthId(authId: number): Promise<Profile | null> {
    const rows = await this.sql.query<ProfileRow>(this.db, PROFILE_BY_AUTH_ID, [authId]);
    return rows[0] ? toProfile(rows[0]) : null;
  }

  async exists(authId: number): Promise<boolean> {
    return this.db.exists(ProfileEntity, { where: { auth_id: authId } });
  }

  async create(authId: number, displayName: string, active: boolean): Promise<void> {
    const now = new Date();
    await this.db.insert(ProfileEntity, {
      auth_id: authId,
      display_name: displayName,
      bio: null,
      is_active: active,
      created_at: now,
      updated_at: now,
    });
  }

  /** Deactivates the account's profile; false when it was inactive already. */
  async deactivate(authId: number): Promise<boolean> {
    const result = await this.db.update(
      ProfileEntity,
      { auth_id: authId, is_active: true },
      { is_active: false, updated_at: new Date() },
    );
    return (result.affected ?? 0) > 0;
  }

  /** Makes the account's profile active again; false when it was active already. */
  async reactivate(authId: number): Promise<boolean> {
    const result = await this.db.update(
      ProfileEntity,
      { auth_id: authId, is_active: false },
      { is_active: true, updated_at: new Date() },
    );
    return (result.affected ?? 0) > 0;
  }

  /** Whether a deactivation of the account arrived before its profile existed. */
  wasDeactivatedEarly(authId: number): Promise<boolean> {
    return this.db.exists(DeactivatedAccountEntity, { where: { auth_id: authId } });
  }

  /** Remembers a deactivation that arrived before the account's profile (once). */
  async rememberDeactivation(authId: number): Promise<void> {
    if (await this.wasDeactivatedEarly(authId)) return;
    await this.db.insert(DeactivatedAccountEntity, { auth_id: authId, deactivated_at: new Date() });
  }

  /** Forgets a deactivation remembered before the profile existed (the account was reactivated since). */
  async forgetDeactivation(authId: number): Promise<void> {
    await this.db.delete(DeactivatedAccountEntity, { auth_id: authId });
  }

  /** Sets the bio and returns the profile as it now is, in one round trip; null without a profile. */
  async setBio(authId: number, bio: string): Promise<Profile | null> {
    const rows = await this.sql.query<ProfileRow>(this.db, SET_BIO, [
      bio,
      this.sql.toTimestamp(new Date()),
      authId,
    ]);
    return rows[0] ? toProfile(rows[0]) : null;
  }

  /**
   * Records a message as applied; false if it already was (a redelivery). A concurrent duplicate
   * fails on the primary key instead, which rolls its transaction back.
   */
  async markProcessed(messageId: string, eventType: string): Promise<boolean> {
    if (await this.db.exists(ProcessedMessageEntity, { where: { message_id: messageId } }))
      return false;
    await this.db.insert(ProcessedMessageEntity, {
      message_id: messageId,
      event_type: eventType,
      processed_at: new Date(),
    });
    return true;
  }
}

function toProfile(row: ProfileRow): Profile {
  return {
    id: row.id,
    authId: row.auth_id,
    displayName: row.display_name,
    bio: row.bio,
    isActive: Boolean(row.is_active),
  };
}
