import { In, type EntityManager } from 'typeorm';
import { statement, type SqlDialect } from '@platform/common';
import type { MailLocale } from '../mail/mail.js';
import {
  AccountEntity,
  RoleEntity,
  UserRoleEntity,
  type AccountRow,
  type UserRoleRow,
} from '../data/entities.js';

/** An account as it leaves the data layer (no ORM type crosses into the use cases). */
export interface Account {
  id: number;
  login: string;
  email: string;
  isActive: boolean;
  /** Whether the owner of `email` has proven it. */
  emailVerified: boolean;
  /** The language of the account's mails. */
  locale: MailLocale;
  roles: string[];
}

export interface AccountWithSecret extends Account {
  hashedPassword: string;
}

/** The first key of the two-key advisory locks that stand for roles (any fixed int4 would do). */
const ROLE_LOCK_SPACE = 0x726f6c65; // 'role'

/**
 * An account with its roles, a row per role (one row with a null role when it holds none), found by
 * one column compared with the one parameter. The parameter comes from a one-row table instead of
 * being compared in the WHERE: SQLite as better-sqlite3 builds it (with STAT4) recompiles a
 * statement whose plan might depend on a bound value each time the value is bound anew, 17-18 µs
 * instead of 3 µs per lookup here, on every login and refresh (Postgres plans both forms alike).
 */
const accountWithRoles = (column: 'login_lower' | 'id' | 'email_lower', param: string) => `
  SELECT a.id, a.login, a.email, a.is_active, a.email_verified, a.locale, a.hashed_password,
         r.name AS role
    FROM (SELECT ${param} AS wanted) AS x
    JOIN auth_info a ON a.${column} = x.wanted
    LEFT JOIN user_roles ur ON ur.user_id = a.id
    LEFT JOIN roles r ON r.id = ur.role_id
   ORDER BY r.name`;
const BY_LOGIN = statement((p) => accountWithRoles('login_lower', `CAST(${p(1)} AS VARCHAR)`));
const BY_ID = statement((p) => accountWithRoles('id', `CAST(${p(1)} AS INTEGER)`));
const BY_EMAIL = statement((p) => accountWithRoles('email_lower', `CAST(${p(1)} AS VARCHAR)`));
type AccountWithRolesRow = Pick<
  AccountRow,
  'id' | 'login' | 'email' | 'is_active' | 'email_verified' | 'locale' | 'hashed_password'
> & { role: string | null };

/** The account those rows describe, or null when there are none. */
function toAccountWithSecret(rows: AccountWithRolesRow[]): AccountWithSecret | null {
  const [row] = rows;
  if (!row) return null;
  return {
    id: row.id,
    login: row.login,
    email: row.email,
    isActive: Boolean(row.is_active),
    emailVerified: Boolean(row.email_verified),
    locale: row.locale === 'ru' ? 'ru' : 'en',
    hashedPassword: row.hashed_password,
    roles: rows.flatMap((r) => (r.role === null ? [] : [r.role])),
  };
}

export interface NewAccount {
  login: string;
  email: string;
  hashedPassword: string;
  locale?: MailLocale | undefined;
  /** An operator's account (create-admin) is taken as proven. */
  emailVerified?: boolean | undefined;
}

export class AccountRepository {
  constructor(
    private readonly db: EntityManager,
    private readonly sql: SqlDialect,
  ) {}

  /**
   * The account of a login (case-insensitively), its hash and its roles in one query (a row per
   * role), so that a login check costs one lookup whether or not the login exists.
   */
  async findByLogin(login: string): Promise<AccountWithSecret | null> {
    return toAccountWithSecret(
      await this.sql.query<AccountWithRolesRow>(this.db, BY_LOGIN, [login.toLowerCase()]),
    );
  }

  /** On every refresh and authenticated request: the account with its roles, one query. */
  async findById(id: number): Promise<Account | null> {
    const found = toAccountWithSecret(
      await this.sql.query<AccountWithRolesRow>(this.db, BY_ID, [id]),
    );
    if (!found) return null;
    const { hashedPassword: _secret, ...account } = found;
    return account;
  }

  /** The account of an address (case-insensitively), with its hash and roles. */
  async findByEmail(email: string): Promise<AccountWithSecret | null> {
    return toAccountWithSecret(
      await this.sql.query<AccountWithRolesRow>(this.db, BY_EMAIL, [email.toLowerCase()]),
    );
  }

  /** Which of the login and email are already taken (case-insensitively). */
  async taken(login: string, email: string): Promise<{ login: boolean; email: boolean }> {
    const rows = await this.db.find(AccountEntity, {
      select: { login_lower: true, email_lower: true },
      where: [{ login_lower: login.toLowerCase() }, { email_lower: email.toLowerCase() }],
    });
    return {
      login: rows.some((r) => r.login_lower === login.toLowerCase()),
      email: rows.some((r) => r.email_lower === email.toLowerCase()),
    };
  }

  async create(account: NewAccount, roles: string[]): Promise<Account> {
    const now = new Date();
    const row = await this.db.save(AccountEntity, {
      login: account.login,
      login_lower: account.login.toLowerCase(),
      email: account.email,
      email_lower: account.email.toLowerCase(),
      hashed_password: account.hashedPassword,
      is_active: true,
      email_verified: account.emailVerified ?? false,
      locale: account.locale ?? 'en',
      created_at: now,
      updated_at: now,
    });
    await this.grantRoles(row.id, roles);
    return (await this.findById(row.id))!;
  }

  /** Gives the account the roles it lacks; returns those it did not hold before. */
  async grantRoles(userId: number, roles: string[]): Promise<string[]> {
    const found = await this.db.find(RoleEntity, { where: { name: In(roles) } });
    if (found.length !== roles.length) {
      throw new Error(`Unknown role among ${roles.join(', ')}`);
    }
    const held = new Set(
      (await this.db.find(UserRoleEntity, { where: { user_id: userId } })).map((r) => r.role_id),
    );
    const missing = found.filter((role) => !held.has(role.id));
    if (missing.length > 0) {
      const grants: UserRoleRow[] = missing.map((role) => ({
        user_id: userId,
        role_id: role.id,
        granted_at: new Date(),
      }));
      await this.db.insert(UserRoleEntity, grants);
    }
    return missing.map((role) => role.name);
  }

  async setPasswordHash(id: number, hashedPassword: string): Promise<void> {
    await this.db.update(
      AccountEntity,
      { id },
      { hashed_password: hashedPassword, updated_at: new Date() },
    );
  }

  /** Marks the account's address proven (or not); false when it already was so. */
  async setEmailVerified(id: number, verified: boolean): Promise<boolean> {
    const result = await this.db.update(
      AccountEntity,
      { id, email_verified: !verified },
      { email_verified: verified, updated_at: new Date() },
    );
    return (result.affected ?? 0) > 0;
  }

  /** Moves the account to a proven address (the unique index refuses a taken one). */
  async setEmail(id: number, email: string): Promise<void> {
    await this.db.update(
      AccountEntity,
      { id },
      {
        email,
        email_lower: email.toLowerCase(),
        email_verified: true,
        updated_at: new Date(),
      },
    );
  }

  async setLocale(id: number, locale: MailLocale): Promise<void> {
    await this.db.update(AccountEntity, { id }, { locale, updated_at: new Date() });
  }

  /** Returns false when the account was already inactive. */
  async deactivate(id: number): Promise<boolean> {
    const result = await this.db.update(
      AccountEntity,
      { id, is_active: true },
      { is_active: false, updated_at: new Date() },
    );
    return (result.affected ?? 0) > 0;
  }

  /** Remembers the message id of the `Account Deactivate` its deactivation wrote. */
  async setDeactivationEvent(id: number, messageId: string): Promise<void> {
    await this.db.update(AccountEntity, { id }, { deactivation_event_id: messageId });
  }

  /** The message id of the `Account Deactivate` of the account's latest deactivation, if any. */
  async deactivationEvent(id: number): Promise<string | null> {
    const row = await this.db.findOne(AccountEntity, {
      select: { id: true, deactivation_event_id: true },
      where: { id },
    });
    return row?.deactivation_event_id ?? null;
  }

  /** Returns false when the account was already active. */
  async reactivate(id: number): Promise<boolean> {
    const result = await this.db.update(
      AccountEntity,
      { id, is_active: false },
      { is_active: true, updated_at: new Date() },
    );
    return (result.affected ?? 0) > 0;
  }

  /** Accounts that are active and hold the role, apart from `exceptUserId`. */
  async countActiveWithRole(role: string, exceptUserId: number): Promise<number> {
    return this.db
      .createQueryBuilder()
      .from(AccountEntity, 'a')
      .innerJoin('user_roles', 'ur', 'ur.user_id = a.id')
      .innerJoin('roles', 'r', 'r.id = ur.role_id')
      .where('r.name = :role AND a.is_active = :active AND a.id <> :exceptUserId', {
        role,
        active: true,
        exceptUserId,
      })
      .getCount();
  }

  /**
   * Inside a transaction: waits for, then holds until it ends, the lock that serialises changes to
   * who holds the role.
   */
  lockRole(role: string): Promise<void> {
    return this.sql.lock(this.db, ROLE_LOCK_SPACE, role);
  }

  /** Takes the role from the account; false when it did not hold it. */
  async revokeRole(userId: number, role: string): Promise<boolean> {
    const found = await this.db.findOne(RoleEntity, { where: { name: role } });
    if (!found) return false;
    const result = await this.db.delete(UserRoleEntity, { user_id: userId, role_id: found.id });
    return (result.affected ?? 0) > 0;
  }
}
