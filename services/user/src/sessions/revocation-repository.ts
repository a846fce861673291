import { In, LessThan, type EntityManager } from 'typeorm';
import { RevokedSessionEntity } from '../data/entities.js';

/** Sessions the auth service ended; a token whose `sid` is here is refused. */
export class RevocationRepository {
  constructor(private readonly db: EntityManager) {}

  /** Records the sessions as revoked; ones already recorded stay as they are. Returns how many were new. */
  async add(
    authId: number,
    sessionIds: readonly string[],
    reason: string,
    expiresAt: Date,
  ): Promise<number> {
    const known = new Set(
      (
        await this.db.find(RevokedSessionEntity, {
          select: { session_id: true },
          where: { session_id: In([...sessionIds]) },
        })
      ).map((row) => row.session_id),
    );
    const fresh = sessionIds.filter((id) => !known.has(id));
    if (fresh.length === 0) return 0;
    const revokedAt = new Date();
    await this.db.insert(
      RevokedSessionEntity,
      fresh.map((id) => ({
        session_id: id,
        auth_id: authId,
        reason,
        expires_at: expiresAt,
        revoked_at: revokedAt,
      })),
    );
    return fresh.length;
  }

  /**
   * Forgets up to `limit` revocations whose tokens have all expired (nothing they name can be
   * presented any more); returns how many.
   */
  async deleteExpired(now: Date, limit: number): Promise<number> {
    const expired = await this.db.find(RevokedSessionEntity, {
      select: { session_id: true },
      where: { expires_at: LessThan(now) },
      take: limit,
    });
    if (expired.length === 0) return 0;
    const result = await this.db.delete(RevokedSessionEntity, {
      session_id: In(expired.map((row) => row.session_id)),
    });
    return result.affected ?? expired.length;
  }
}
