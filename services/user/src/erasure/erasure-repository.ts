import type { EntityManager } from 'typeorm';
import { statement, type SqlDialect, type Statement } from '@platform/common';
import {
  DeactivatedAccountEntity,
  ErasedAccountEntity,
  ProfileEntity,
  RevokedSessionEntity,
} from '../data/entities.js';
import { ACCOUNT_ROWS } from './account-rows.js';

const DELETES: readonly Statement[] = ACCOUNT_ROWS.map(({ table, column }) =>
  statement((p) => `DELETE FROM ${table} WHERE ${column} = ${p(1)}`),
);

/** Everything the service holds about an account (GET /profile/export). */
export interface AccountData {
  profile: {
    id: number;
    displayName: string;
    bio: string | null;
    isActive: boolean;
    createdAt: Date;
    updatedAt: Date;
  } | null;
  deactivatedEarlyAt: Date | null;
  revokedSessions: { sessionId: string; reason: string; revokedAt: Date; expiresAt: Date }[];
}

/** Erased accounts (a tombstone per id) and the rows an account owns (see ACCOUNT_ROWS). */
export class ErasureRepository {
  constructor(
    private readonly db: EntityManager,
    private readonly sql: SqlDialect,
  ) {}

  isErased(authId: number): Promise<boolean> {
    return this.db.exists(ErasedAccountEntity, { where: { auth_id: authId } });
  }

  /** Inside a transaction: deletes every row of the account and leaves its tombstone (once). */
  async erase(authId: number): Promise<void> {
    for (const sql of DELETES) await this.sql.query(this.db, sql, [authId]);
    if (!(await this.isErased(authId))) {
      await this.db.insert(ErasedAccountEntity, { auth_id: authId, erased_at: new Date() });
    }
  }

  /** Every row the service holds about the account (the tables of ACCOUNT_ROWS). */
  async dataOf(authId: number): Promise<AccountData> {
    const profile = await this.db.findOne(ProfileEntity, { where: { auth_id: authId } });
    const early = await this.db.findOne(DeactivatedAccountEntity, { where: { auth_id: authId } });
    const revoked = await this.db.find(RevokedSessionEntity, {
      where: { auth_id: authId },
      order: { revoked_at: 'ASC', session_id: 'ASC' },
    });
    return {
      profile: profile && {
        id: profile.id,
        displayName: profile.display_name,
        bio: profile.bio,
        isActive: Boolean(profile.is_active),
        createdAt: profile.created_at,
        updatedAt: profile.updated_at,
      },
      deactivatedEarlyAt: early?.deactivated_at ?? null,
      revokedSessions: revoked.map((row) => ({
        sessionId: row.session_id,
        reason: row.reason,
        revokedAt: row.revoked_at,
        expiresAt: row.expires_at,
      })),
    };
  }
}
