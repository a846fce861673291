import { randomBytes } from 'node:crypto';
import { isUniqueViolation, type SqlDialect } from '@platform/common';
import type { EntityManager } from 'typeorm';
import { PasskeyEntity, WebAuthnUserHandleEntity, type PasskeyRow } from '../data/entities.js';

/** A passkey as its owner sees it. */
export interface Passkey {
  id: number;
  userId: number;
  name: string;
  transports: string[];
  backedUp: boolean;
  deviceType: 'singleDevice' | 'multiDevice';
  createdAt: Date;
  lastUsedAt: Date | null;
}

/** A passkey with what an assertion is checked against. */
export interface PasskeyCredential extends Passkey {
  credentialId: string;
  publicKey: Uint8Array;
  signCount: number;
}

export interface NewPasskey {
  userId: number;
  credentialId: string;
  publicKey: Uint8Array;
  signCount: number;
  transports: string[];
  name: string;
  backedUp: boolean;
  deviceType: 'singleDevice' | 'multiDevice';
  aaguid: string;
}

const toPasskey = (row: PasskeyRow): Passkey => ({
  id: row.id,
  userId: row.user_id,
  name: row.name,
  transports: row.transports === '' ? [] : row.transports.split(','),
  backedUp: Boolean(row.backed_up),
  deviceType: row.device_type === 'multiDevice' ? 'multiDevice' : 'singleDevice',
  createdAt: row.created_at,
  lastUsedAt: row.last_used_at,
});

const toCredential = (row: PasskeyRow): PasskeyCredential => ({
  ...toPasskey(row),
  credentialId: row.credential_id,
  publicKey: Buffer.from(row.public_key, 'base64url'),
  signCount: Number(row.sign_count),
});

/** The first key of the advisory locks that stand for an account's passkeys. */
const PASSKEY_LOCK_SPACE = 0x706b6579; // 'pkey'

/**
 * The largest id the column holds (a Postgres integer). The contract allows any safe integer in a
 * path; a larger one names no passkey, and must not reach Postgres, which refuses it as out of range.
 */
const MAX_ID = 2_147_483_647;

/** Accounts' WebAuthn user handles and passkeys. */
export class PasskeyRepository {
  constructor(
    private readonly db: EntityManager,
    private readonly sql: SqlDialect,
  ) {}

  /**
   * The account's user handle, created on first use: 32 random bytes, base64url. Authenticators
   * store it with the credential, so it reveals neither the account id nor the login.
   */
  async userHandleOf(userId: number): Promise<string> {
    const found = await this.db.findOne(WebAuthnUserHandleEntity, { where: { user_id: userId } });
    if (found) return found.user_handle;
    const handle = randomBytes(32).toString('base64url');
    try {
      await this.db.insert(WebAuthnUserHandleEntity, {
        user_id: userId,
        user_handle: handle,
        created_at: new Date(),
      });
      return handle;
    } catch (err) {
      // A concurrent first registration of the same account stored its handle first.
      if (!isUniqueViolation(err)) throw err;
      const stored = await this.db.findOne(WebAuthnUserHandleEntity, {
        where: { user_id: userId },
      });
      if (!stored) throw err;
      return stored.user_handle;
    }
  }

  /** The account whose user handle this is, if any. */
  async userIdByHandle(handle: string): Promise<number | null> {
    const row = await this.db.findOne(WebAuthnUserHandleEntity, { where: { user_handle: handle } });
    return row?.user_id ?? null;
  }

  /** Stores a passkey; null when its credential id is registered already (to any account). */
  async add(passkey: NewPasskey): Promise<Passkey | null> {
    const row = {
      user_id: passkey.userId,
      credential_id: passkey.credentialId,
      public_key: Buffer.from(passkey.publicKey).toString('base64url'),
      sign_count: passkey.signCount,
      transports: passkey.transports.join(','),
      name: passkey.name,
      backed_up: passkey.backedUp,
      device_type: passkey.deviceType,
      aaguid: passkey.aaguid,
      created_at: new Date(),
      last_used_at: null,
    };
    try {
      const result = await this.db.insert(PasskeyEntity, row);
      const id = Number(result.identifiers[0]?.id);
      return toPasskey({ ...row, id });
    } catch (err) {
      if (isUniqueViolation(err)) return null;
      throw err;
    }
  }

  /**
   * Inside a transaction: holds the account's passkeys until it ends, so that two removals cannot
   * each count the other's passkey as the one that stays.
   */
  lockAccount(userId: number): Promise<void> {
    return this.sql.lock(this.db, PASSKEY_LOCK_SPACE, userId);
  }

  async listByUser(userId: number): Promise<Passkey[]> {
    const rows = await this.db.find(PasskeyEntity, {
      where: { user_id: userId },
      order: { id: 'ASC' },
    });
    return rows.map(toPasskey);
  }

  /** The account's credentials, for excludeCredentials and allowCredentials. */
  async credentialsOf(userId: number): Promise<PasskeyCredential[]> {
    const rows = await this.db.find(PasskeyEntity, { where: { user_id: userId } });
    return rows.map(toCredential);
  }

  async countByUser(userId: number): Promise<number> {
    return this.db.count(PasskeyEntity, { where: { user_id: userId } });
  }

  async findByCredentialId(credentialId: string): Promise<PasskeyCredential | null> {
    const row = await this.db.findOne(PasskeyEntity, { where: { credential_id: credentialId } });
    return row ? toCredential(row) : null;
  }

  /** The passkey if it is the account's; another account's is as unknown as a missing one. */
  async findOwned(userId: number, id: number): Promise<Passkey | null> {
    if (id > MAX_ID) return null;
    const row = await this.db.findOne(PasskeyEntity, { where: { id, user_id: userId } });
    return row ? toPasskey(row) : null;
  }

  async rename(userId: number, id: number, name: string): Promise<Passkey | null> {
    if (id > MAX_ID) return null;
    const result = await this.db.update(PasskeyEntity, { id, user_id: userId }, { name });
    if ((result.affected ?? 0) !== 1) return null;
    return this.findOwned(userId, id);
  }

  async remove(userId: number, id: number): Promise<boolean> {
    if (id > MAX_ID) return false;
    const result = await this.db.delete(PasskeyEntity, { id, user_id: userId });
    return (result.affected ?? 0) === 1;
  }

  /** Removes every passkey of the account (an administrator's reset); returns how many. */
  async removeAllOf(userId: number): Promise<number> {
    const result = await this.db.delete(PasskeyEntity, { user_id: userId });
    return result.affected ?? 0;
  }

  /**
   * Records an assertion: the new sign count, if the stored one is still `previousCount` (a
   * compare-and-swap: of two assertions checked against one count, one is recorded), the backup
   * state and the time.
   */
  async recordUse(
    id: number,
    use: { previousCount: number; signCount: number; backedUp: boolean },
  ): Promise<boolean> {
    const result = await this.db.update(
      PasskeyEntity,
      { id, sign_count: use.previousCount },
      { sign_count: use.signCount, backed_up: use.backedUp, last_used_at: new Date() },
    );
    return (result.affected ?? 0) === 1;
  }
}
