import { IsNull, type EntityManager } from 'typeorm';
import { statement, type SqlDialect } from '@platform/common';
import { RecoveryCodeEntity, TotpFactorEntity } from '../data/entities.js';

export interface TotpFactor {
  userId: number;
  sealedSecret: string;
  confirmed: boolean;
  /** When its first code confirmed it; null while the enrolment waits for one. */
  confirmedAt: Date | null;
  lastStep: number | null;
}

/** A recovery code not used yet: its hash and the key that made it. */
export interface StoredRecoveryCode {
  id: number;
  kid: string;
  hash: string;
}

/** Which kinds of second factor an account can log in with (by FactorMethod). */
export interface Enrolment {
  totp: boolean;
  webauthn: boolean;
  recovery_code: boolean;
}

/**
 * Every kind in one round trip, on every login: a confirmed authenticator app, a passkey, an unused
 * recovery code. (Lookups by a bound parameter in scalar subqueries, which SQLite plans once; compare
 * CALLER_STATE in the user service.)
 */
const ENROLMENT = statement(
  (p) => `SELECT
      EXISTS (SELECT 1 FROM totp_factors
               WHERE user_id = ${p(1)} AND confirmed_at IS NOT NULL) AS totp,
      EXISTS (SELECT 1 FROM passkeys WHERE user_id = ${p(2)}) AS webauthn,
      EXISTS (SELECT 1 FROM recovery_codes
               WHERE user_id = ${p(3)} AND used_at IS NULL) AS recovery_code`,
);

/**
 * An account's second factors: its TOTP authenticator and its recovery codes. Every spend is a
 * compare-and-swap whose affected rows decide, so of concurrent spends of one code exactly one wins.
 */
export class FactorRepository {
  constructor(
    private readonly db: EntityManager,
    private readonly sql: SqlDialect,
  ) {}

  async enrolment(userId: number): Promise<Enrolment> {
    const [row] = await this.sql.query<Record<keyof Enrolment, boolean | number>>(
      this.db,
      ENROLMENT,
      [userId, userId, userId],
    );
    // Postgres answers booleans, SQLite 0 or 1.
    return {
      totp: Boolean(row?.totp),
      webauthn: Boolean(row?.webauthn),
      recovery_code: Boolean(row?.recovery_code),
    };
  }

  async totpOf(userId: number): Promise<TotpFactor | null> {
    const row = await this.db.findOne(TotpFactorEntity, { where: { user_id: userId } });
    if (!row) return null;
    return {
      userId,
      sealedSecret: row.secret_sealed,
      confirmed: row.confirmed_at !== null,
      confirmedAt: row.confirmed_at,
      lastStep: row.last_step === null ? null : Number(row.last_step),
    };
  }

  /**
   * A new, unconfirmed enrolment, in place of one that waits for its first code; false when the
   * account has a confirmed authenticator (or another enrolment of it began at the same moment).
   */
  async startTotp(userId: number, sealedSecret: string): Promise<boolean> {
    const existing = await this.totpOf(userId);
    if (existing?.confirmed) return false;
    const createdAt = new Date();
    if (existing) {
      const result = await this.db.update(
        TotpFactorEntity,
        { user_id: userId, confirmed_at: IsNull() },
        { secret_sealed: sealedSecret, created_at: createdAt, last_step: null },
      );
      return result.affected === 1;
    }
    await this.db
      .createQueryBuilder()
      .insert()
      .into(TotpFactorEntity)
      .values({ user_id: userId, secret_sealed: sealedSecret, created_at: createdAt })
      .orIgnore()
      .execute();
    return (await this.totpOf(userId))?.sealedSecret === sealedSecret;
  }

  /** Confirms an enrolment with its first code, whose step then counts as used; false if none waits. */
  async confirmTotp(userId: number, step: number): Promise<boolean> {
    const result = await this.db.update(
      TotpFactorEntity,
      { user_id: userId, confirmed_at: IsNull() },
      { confirmed_at: new Date(), last_step: step },
    );
    return result.affected === 1;
  }

  /** Spends a time step: true for exactly one caller, and only if no later or equal step was spent. */
  async useTotpStep(userId: number, step: number): Promise<boolean> {
    const result = await this.db
      .createQueryBuilder()
      .update(TotpFactorEntity)
      .set({ last_step: step })
      .where('user_id = :userId AND confirmed_at IS NOT NULL', { userId })
      .andWhere('(last_step IS NULL OR last_step < :step)', { step })
      .execute();
    return result.affected === 1;
  }

  /** Stores the secret sealed under the current key, unless it changed meanwhile. */
  async resealTotp(userId: number, from: string, to: string): Promise<void> {
    await this.db.update(
      TotpFactorEntity,
      { user_id: userId, secret_sealed: from },
      { secret_sealed: to },
    );
  }

  /** Removes the authenticator (confirmed or not); true if there was one. */
  async removeTotp(userId: number): Promise<boolean> {
    const result = await this.db.delete(TotpFactorEntity, { user_id: userId });
    return (result.affected ?? 0) > 0;
  }

  /** A new set of codes in place of the account's old ones, used or not. */
  async replaceRecoveryCodes(
    userId: number,
    kid: string,
    hashes: readonly string[],
  ): Promise<void> {
    await this.removeRecoveryCodes(userId);
    const createdAt = new Date();
    await this.db.insert(
      RecoveryCodeEntity,
      hashes.map((hash) => ({
        user_id: userId,
        kid,
        code_hash: hash,
        created_at: createdAt,
        used_at: null,
      })),
    );
  }

  async unusedRecoveryCodes(userId: number): Promise<StoredRecoveryCode[]> {
    const rows = await this.db.find(RecoveryCodeEntity, {
      where: { user_id: userId, used_at: IsNull() },
      order: { id: 'ASC' },
    });
    return rows.map((row) => ({ id: row.id, kid: row.kid, hash: row.code_hash }));
  }

  /** Spends a code: true for exactly one caller. */
  async useRecoveryCode(id: number): Promise<boolean> {
    const result = await this.db.update(
      RecoveryCodeEntity,
      { id, used_at: IsNull() },
      { used_at: new Date() },
    );
    return result.affected === 1;
  }

  async removeRecoveryCodes(userId: number): Promise<number> {
    const result = await this.db.delete(RecoveryCodeEntity, { user_id: userId });
    return result.affected ?? 0;
  }
}
