import type { EntityManager } from 'typeorm';
import { hotQuery, sqlText, sqlTimestamp } from '@platform/common';
import {
  DeactivatedAccountEntity,
  ProcessedMessageEntity,
  ProfileEntity,
  type ProfileRow,
} from './entities.js';

export interface Profile {
  id: number;
  authId: number;
  displayName: string;
  bio: string | null;
  isActive: boolean;
}

const CALLER_STATE = sqlText(
  (p) => `SELECT (SELECT reason FROM revoked_sessions WHERE session_id = ${p(1)}) AS revoked,
                 p.id, p.auth_id, p.display_name, p.bio, p.is_active
            FROM (SELECT 1 AS one) AS caller
            LEFT JOIN user_profiles p ON p.auth_id = ${p(2)}`,
);

const PROFILE_BY_AUTH_ID = sqlText(
  (p) =>
    `SELECT id, auth_id, display_name, bio, is_active FROM user_profiles WHERE auth_id = ${p(1)}`,
);

const SET_BIO = sqlText(
  (p) => `UPDATE user_profiles SET bio = ${p(1)}, updated_at = ${p(2)} WHERE auth_id = ${p(3)}
          RETURNING id, auth_id, display_name, bio, is_active`,
);

/** The first key of the two-key advisory locks that stand for accounts (any fixed int4 would do). */
const ACCOUNT_LOCK_SPACE = 0x75736572; // 'user'

export class ProfileRepository {
  constructor(private readonly db: EntityManager) {}

  /**
   * Inside a transaction: waits for, then holds until the end of the transaction, the account's lock.
   * On Postgres the consumer handles several messages at once, and two transactions about one account
   * (a Register and its Account Deactivate, or two Registers) would each miss the other's uncommitted
   * rows: the profile would stay active, or the second message be acknowledged unrecorded. SQLite has
   * no such lock; its set-up, the embedded default, hands the consumer one message at a time.
   */
  async lockAccount(authId: number): Promise<void> {
    if (this.db.connection.options.type !== 'postgres') return;
    await this.db.query('SELECT pg_advisory_xact_lock($1, $2)', [ACCOUNT_LOCK_SPACE, authId]);
  }

  /**
   * On every authenticated request, one round trip: why the caller's session was revoked (if it was)
   * and the caller's profile (null before its Register event). A prepared statement (hotQuery).
   */
  async callerState(
    authId: number,
    sessionId: string,
  ): Promise<{ revoked: string | undefined; profile: Profile | null }> {
    const rows = await hotQuery<ProfileRow & { revoked: string | null }>(
      this.db,
      CALLER_STATE(this.db),
      [sessionId, authId],
    );
    const row = rows[0]!;
    return {
      revoked: row.revoked ?? undefined,
      profile: row.id === null || row.id === undefined ? null : toProfile(row),
    };
  }

  async findByAuthId(authId: number): Promise<Profile | null> {
    const rows = await hotQuery<ProfileRow>(this.db, PROFILE_BY_AUTH_ID(this.db), [authId]);
    return rows[0] ? toProfile(rows[0]) : null;
  }

  /**
   * Creates the profile unless one exists; returns whether it did. A deactivation that arrived first
   * makes the new profile inactive.
   */
  async createIfAbsent(authId: number, displayName: string): Promise<boolean> {
    if (await this.db.exists(ProfileEntity, { where: { auth_id: authId } })) return false;
    const deactivated = await this.db.exists(DeactivatedAccountEntity, {
      where: { auth_id: authId },
    });
    const now = new Date();
    await this.db.insert(ProfileEntity, {
      auth_id: authId,
      display_name: displayName,
      bio: null,
      is_active: !deactivated,
      created_at: now,
      updated_at: now,
    });
    return true;
  }

  /** Deactivates the profile, or remembers the deactivation for a profile that does not exist yet. */
  async deactivate(authId: number): Promise<'deactivated' | 'already-inactive' | 'remembered'> {
    if (!(await this.db.exists(ProfileEntity, { where: { auth_id: authId } }))) {
      if (!(await this.db.exists(DeactivatedAccountEntity, { where: { auth_id: authId } }))) {
        await this.db.insert(DeactivatedAccountEntity, {
          auth_id: authId,
          deactivated_at: new Date(),
        });
      }
      return 'remembered';
    }
    const result = await this.db.update(
      ProfileEntity,
      { auth_id: authId, is_active: true },
      { is_active: false, updated_at: new Date() },
    );
    return (result.affected ?? 0) > 0 ? 'deactivated' : 'already-inactive';
  }

  /** Sets the bio and returns the profile as it now is, in one round trip; null without a profile. */
  async setBio(authId: number, bio: string): Promise<Profile | null> {
    const rows = await hotQuery<ProfileRow>(this.db, SET_BIO(this.db), [
      bio,
      sqlTimestamp(this.db, new Date()),
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
