import type { SqlDialect } from '@platform/common';
import { IsNull, type EntityManager } from 'typeorm';
import { deleteBatch } from '../data/delete-batch.js';
import { WebAuthnChallengeEntity } from '../data/entities.js';

/**
 * What a challenge was issued for. A challenge answers its own ceremony only: one issued for a
 * second factor cannot log in without a password, one for a registration cannot sign in.
 */
export type Ceremony = 'registration' | 'login' | 'second_factor';

/** The challenges of WebAuthn ceremonies, kept server-side until answered once or expired. */
export class ChallengeRepository {
  constructor(
    private readonly db: EntityManager,
    private readonly sql: SqlDialect,
  ) {}

  async issue(challenge: {
    id: string;
    ceremony: Ceremony;
    userId: number | null;
    challenge: string;
    ttlSeconds: number;
  }): Promise<void> {
    const now = new Date();
    await this.db.insert(WebAuthnChallengeEntity, {
      id: challenge.id,
      ceremony: challenge.ceremony,
      user_id: challenge.userId,
      challenge: challenge.challenge,
      created_at: now,
      expires_at: new Date(now.getTime() + challenge.ttlSeconds * 1000),
      used_at: null,
    });
  }

  /**
   * Spends the challenge if it is unexpired, unused, of `ceremony` and for `userId` (null: issued
   * to no account); returns its value. A compare-and-swap, so of concurrent answers to one challenge
   * exactly one gets it.
   */
  async consume(id: string, ceremony: Ceremony, userId: number | null): Promise<string | null> {
    const row = await this.db.findOne(WebAuthnChallengeEntity, {
      where: { id, ceremony, used_at: IsNull() },
    });
    if (!row || row.expires_at.getTime() <= Date.now()) return null;
    if ((row.user_id ?? null) !== userId) return null;
    const result = await this.db.update(
      WebAuthnChallengeEntity,
      { id, used_at: IsNull() },
      { used_at: new Date() },
    );
    return (result.affected ?? 0) === 1 ? row.challenge : null;
  }

  /** Deletes up to `limit` challenges that expired before `before` (used or not); returns how many. */
  deleteExpired(before: Date, limit: number): Promise<number> {
    return deleteBatch(
      this.db,
      this.sql,
      WebAuthnChallengeEntity,
      { where: 'victim.expires_at < :before', params: { before }, orderBy: 'victim.expires_at' },
      limit,
    );
  }
}
