import { createHash, randomBytes } from 'node:crypto';
import type { SqlDialect } from '@platform/common';
import { IsNull, MoreThan, type EntityManager } from 'typeorm';
import { deleteBatch } from '../data/delete-batch.js';
import { MfaTokenEntity } from '../data/entities.js';

/** `login`: the password is proven, a second factor is due. `enrol`: a factor must be enrolled first. */
export type MfaTokenPurpose = 'login' | 'enrol';

/** 256 bits from the CSPRNG, base64url; only its hash is stored. */
export function newMfaToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashMfaToken(token) };
}

export function hashMfaToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The single-use tokens a login answers with when it needs a second factor (or an enrolment). */
export class MfaTokenRepository {
  constructor(
    private readonly db: EntityManager,
    private readonly sql: SqlDialect,
  ) {}

  async issue(token: {
    userId: number;
    purpose: MfaTokenPurpose;
    hash: string;
    ttlSeconds: number;
  }): Promise<void> {
    const now = new Date();
    await this.db.insert(MfaTokenEntity, {
      token_hash: token.hash,
      user_id: token.userId,
      purpose: token.purpose,
      created_at: now,
      expires_at: new Date(now.getTime() + token.ttlSeconds * 1000),
      used_at: null,
    });
  }

  /** The account of a token good for `purpose`: unexpired and unused. */
  async find(hash: string, purpose: MfaTokenPurpose): Promise<{ userId: number } | null> {
    const row = await this.db.findOne(MfaTokenEntity, {
      where: { token_hash: hash, purpose, used_at: IsNull(), expires_at: MoreThan(new Date()) },
    });
    return row ? { userId: row.user_id } : null;
  }

  /**
   * Spends the token: a compare-and-swap, so of concurrent spends exactly one gets the account. In a
   * transaction the row stays locked until it ends, and a rollback gives the token back.
   */
  async spend(hash: string, purpose: MfaTokenPurpose): Promise<{ userId: number } | null> {
    const owner = await this.find(hash, purpose);
    if (!owner) return null;
    const result = await this.db.update(
      MfaTokenEntity,
      { token_hash: hash, purpose, used_at: IsNull(), expires_at: MoreThan(new Date()) },
      { used_at: new Date() },
    );
    return result.affected === 1 ? owner : null;
  }

  /** Ends the account's tokens of `purpose` not used yet (its factors changed). */
  async endFor(userId: number, purpose: MfaTokenPurpose): Promise<void> {
    await this.db.update(
      MfaTokenEntity,
      { user_id: userId, purpose, used_at: IsNull() },
      { used_at: new Date() },
    );
  }

  /** Deletes up to `limit` tokens that expired before `before`; returns how many. */
  deleteExpired(before: Date, limit: number): Promise<number> {
    return deleteBatch(
      this.db,
      this.sql,
      MfaTokenEntity,
      { where: 'victim.expires_at < :before', params: { before }, orderBy: 'victim.expires_at' },
      limit,
    );
  }
}
