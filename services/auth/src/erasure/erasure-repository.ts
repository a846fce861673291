import { In, type EntityManager } from 'typeorm';
import { statement, type SqlDialect, type Statement } from '@platform/common';
import {
  AccountEntity,
  AuditEntity,
  MailQueueEntity,
  MailTokenEntity,
  PasswordResetRequestEntity,
  RoleEntity,
  SessionEntity,
  UserRoleEntity,
  type AccountRow,
  type AuditRow,
  type MailQueueRow,
  type MailTokenRow,
  type PasswordResetRequestRow,
  type SessionRow,
} from '../data/entities.js';
import { ACCOUNT_ROWS, type ErasedAccount } from './account-rows.js';

const DELETES: readonly { statement: Statement; params: (a: ErasedAccount) => unknown[] }[] =
  ACCOUNT_ROWS.map((rows) => ({
    statement: statement((p) => `DELETE FROM ${rows.table} WHERE ${rows.where(p)}`),
    params: rows.params,
  }));

/**
 * The one change the audit trail's triggers allow: the login of a record about the account becomes
 * the pseudonym, and the client address of a request the account sent (as itself or as the actor)
 * is dropped. The triggers refuse it while the account still exists.
 */
const PSEUDONYMISE = statement(
  (p) => `UPDATE audit_log
             SET login = CASE WHEN user_id = ${p(1)} AND login IS NOT NULL THEN ${p(2)} ELSE login END,
                 ip = CASE WHEN COALESCE(actor_id, user_id) = ${p(3)} THEN NULL ELSE ip END
           WHERE user_id = ${p(4)} OR actor_id = ${p(5)}`,
);

/** The first key of the two-key advisory locks that stand for erasures (any fixed int4 would do). */
const ERASURE_LOCK_SPACE = 0x65726173; // 'eras'

/** What the auth service holds about an account besides the account itself (GET /account/export). */
export interface AccountRecords {
  account: Omit<AccountRow, 'hashed_password'>;
  roles: { role: string; grantedAt: Date }[];
  sessions: SessionRow[];
  mailTokens: MailTokenRow[];
  mails: MailQueueRow[];
  resetRequests: PasswordResetRequestRow[];
  audit: AuditRow[];
}

/** An account's rows across the auth service's tables: deleted by an erasure, read by an export. */
export class ErasureRepository {
  constructor(
    private readonly db: EntityManager,
    private readonly sql: SqlDialect,
  ) {}

  /**
   * Inside a transaction: waits for, then holds until it ends, the lock of the account's erasure, so
   * that of two erasures of one account at once the second finds it gone (SQLite needs none).
   */
  lockAccount(userId: number): Promise<void> {
    return this.sql.lock(this.db, ERASURE_LOCK_SPACE, userId);
  }

  /** Inside the erasure's transaction: deletes every row of ACCOUNT_ROWS, the account last. */
  async deleteAccountRows(account: ErasedAccount): Promise<void> {
    for (const { statement: sql, params } of DELETES) {
      await this.sql.query(this.db, sql, params(account));
    }
  }

  /** After deleteAccountRows, in the same transaction: pseudonymises its audit records. */
  async pseudonymiseAudit(userId: number, pseudonym: string): Promise<void> {
    await this.sql.query(this.db, PSEUDONYMISE, [userId, pseudonym, userId, userId, userId]);
  }

  /** The account's address and those it was mailed a token at (an email change), lower-cased. */
  async addressesOf(userId: number, email: string): Promise<string[]> {
    const tokens = await this.db.find(MailTokenEntity, {
      select: { email: true },
      where: { user_id: userId },
    });
    return [...new Set([email, ...tokens.map((token) => token.email)].map((a) => a.toLowerCase()))];
  }

  /** Every row about the account (never its password hash); null when it does not exist. */
  async recordsOf(userId: number): Promise<AccountRecords | null> {
    const row = await this.db.findOne(AccountEntity, { where: { id: userId } });
    if (!row) return null;
    const { hashed_password: _secret, ...account } = row;
    const emailLower = account.email_lower;
    const grants = await this.db.find(UserRoleEntity, { where: { user_id: userId } });
    const roles = await this.db.find(RoleEntity, {
      where: { id: In(grants.map((grant) => grant.role_id)) },
    });
    const names = new Map(roles.map((role) => [role.id, role.name]));
    const mailTokens = await this.db.find(MailTokenEntity, {
      where: { user_id: userId },
      order: { id: 'ASC' },
    });
    const addresses = [
      ...new Set([emailLower, ...mailTokens.map((token) => token.email.toLowerCase())]),
    ];
    return {
      account,
      roles: grants
        .map((grant) => ({ role: names.get(grant.role_id) ?? '', grantedAt: grant.granted_at }))
        .sort((a, b) => a.role.localeCompare(b.role)),
      sessions: await this.db.find(SessionEntity, {
        where: { user_id: userId },
        order: { created_at: 'ASC', id: 'ASC' },
      }),
      mailTokens,
      mails: await this.db
        .createQueryBuilder(MailQueueEntity, 'm')
        .where('lower(m.to_address) IN (:...addresses)', { addresses })
        .orderBy('m.id', 'ASC')
        .getMany(),
      resetRequests: await this.db.find(PasswordResetRequestEntity, {
        where: { email_lower: emailLower },
        order: { id: 'ASC' },
      }),
      audit: await this.db.find(AuditEntity, {
        where: [{ user_id: userId }, { actor_id: userId }],
        order: { id: 'ASC' },
      }),
    };
  }
}
