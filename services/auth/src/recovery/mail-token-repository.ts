import { createHash, randomBytes } from 'node:crypto';
import type { SqlDialect } from '@platform/common';
import { In, IsNull, type EntityManager } from 'typeorm';
import { deleteBatch } from '../data/delete-batch.js';
import { MailTokenEntity } from '../data/entities.js';

/** What a mail token is for; a token is good for its purpose alone. */
export type MailTokenPurpose = 'reset' | 'verify' | 'email_change';

/** Why a token stopped being good before it expired. */
export type MailTokenEnd =
  'used' | 'superseded' | 'password_changed' | 'email_changed' | 'verified';

/** A good token: whose it is and the address it was mailed to. */
export interface MailTokenOwner {
  userId: number;
  purpose: MailTokenPurpose;
  email: string;
}

/** 256 bits from the CSPRNG, base64url: the token of a link. Only its hash is stored. */
export function newMailToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashMailToken(token) };
}

export function hashMailToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Single-use tokens sent in mails, kept as hashes and bound to an account, a purpose and an address. */
export class MailTokenRepository {
  constructor(
    private readonly db: EntityManager,
    private readonly sql: SqlDialect,
  ) {}

  /** Stores a new token; the account's earlier ones of the same purpose stop working (superseded). */
  async issue(token: {
    userId: number;
    purpose: MailTokenPurpose;
    hash: string;
    email: string;
    ttlSeconds: number;
  }): Promise<void> {
    const now = new Date();
    await this.end(token.userId, [token.purpose], 'superseded', now);
    await this.db.insert(MailTokenEntity, {
      user_id: token.userId,
      purpose: token.purpose,
      token_hash: token.hash,
      email: token.email,
      created_at: now,
      expires_at: new Date(now.getTime() + token.ttlSeconds * 1000),
      ended_at: null,
      end_reason: null,
    });
  }

  /** Whose the token is, if it is good for one of `purposes`: unexpired and neither used nor ended. */
  async find(hash: string, purposes: readonly MailTokenPurpose[]): Promise<MailTokenOwner | null> {
    const row = await this.db.findOne(MailTokenEntity, {
      where: { token_hash: hash, purpose: In([...purposes]), ended_at: IsNull() },
    });
    if (!row || row.expires_at.getTime() <= Date.now()) return null;
    return { userId: row.user_id, purpose: row.purpose as MailTokenPurpose, email: row.email };
  }

  /**
   * Spends the token if it is still good for one of `purposes`. A compare-and-swap, so of any number
   * of concurrent spends of one token exactly one succeeds.
   */
  async spend(hash: string, purposes: readonly MailTokenPurpose[]): Promise<MailTokenOwner | null> {
    const owner = await this.find(hash, purposes);
    if (!owner) return null;
    const result = await this.db.update(
      MailTokenEntity,
      { token_hash: hash, ended_at: IsNull() },
      { ended_at: new Date(), end_reason: 'used' },
    );
    return (result.affected ?? 0) === 1 ? owner : null;
  }

  /** Ends the account's good tokens of those purposes; returns how many. */
  async end(
    userId: number,
    purposes: readonly MailTokenPurpose[],
    reason: MailTokenEnd,
    at = new Date(),
  ): Promise<number> {
    const result = await this.db.update(
      MailTokenEntity,
      { user_id: userId, purpose: In([...purposes]), ended_at: IsNull() },
      { ended_at: at, end_reason: reason },
    );
    return result.affected ?? 0;
  }

  /** Deletes up to `limit` tokens that expired before `before` (none can be spent); returns how many. */
  deleteExpired(before: Date, limit: number): Promise<number> {
    return deleteBatch(
      this.db,
      this.sql,
      MailTokenEntity,
      { where: 'victim.expires_at < :before', params: { before }, orderBy: 'victim.expires_at' },
      limit,
    );
  }
}
