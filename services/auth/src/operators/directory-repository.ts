import type { SqlDialect } from '@platform/common';
import type { EntityManager } from 'typeorm';

export interface DirectoryFilter {
  /** The start of a login or an email, lower-cased. */
  prefix?: string | undefined;
  active?: boolean | undefined;
  role?: string | undefined;
  /** Only accounts with a greater id (the cursor). */
  afterId?: number | undefined;
  limit: number;
}

/** An account as the directory lists it. */
export interface DirectoryEntry {
  id: number;
  login: string;
  email: string;
  isActive: boolean;
  emailVerified: boolean;
  roles: string[];
  createdAt: Date;
}

interface EntryRow {
  id: number;
  login: string;
  email: string;
  is_active: boolean | number;
  email_verified: boolean | number;
  created_at: Date | string;
}

/** `%`, `_` and the escape character itself stand for themselves in a LIKE pattern. */
export function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * The least string greater than every string that starts with `prefix`, in code point order (which is
 * the byte order of UTF-8): the prefix with its last character incremented.
 */
export function prefixUpperBound(prefix: string): string {
  const chars = [...prefix];
  const last = chars.pop()!.codePointAt(0)!;
  // The last code point has no successor: the bound is the shorter prefix's.
  if (last === 0x10ffff) return chars.length > 0 ? prefixUpperBound(chars.join('')) : '\u{10ffff}';
  return chars.join('') + String.fromCodePoint(last === 0xd7ff ? 0xe000 : last + 1);
}

/**
 * The directory's query for a filter: on Postgres the range of a prefix uses the `text_pattern_ops`
 * operators, on SQLite plain comparisons (BINARY collation); both are byte order. Exported for the
 * test that reads its plan.
 */
export function directorySearch(
  sql: Pick<SqlDialect, 'pick'>,
  filter: DirectoryFilter,
): { text: string; params: unknown[] } {
  const params: unknown[] = [];
  const bind = (value: unknown) => {
    params.push(value);
    return sql.pick({ postgres: `$${params.length}`, sqlite: '?' });
  };
  const [ge, lt] = sql.pick({ postgres: ['~>=~', '~<~'], sqlite: ['>=', '<'] });
  const where: string[] = [];
  const { prefix } = filter;
  if (prefix !== undefined) {
    const within = (column: string) =>
      `(${column} ${ge} ${bind(prefix)} AND ${column} ${lt} ${bind(prefixUpperBound(prefix))}` +
      ` AND ${column} LIKE ${bind(likePrefix(prefix))} ESCAPE '\\')`;
    where.push(`(${within('a.login_lower')} OR ${within('a.email_lower')})`);
  }
  if (filter.active !== undefined) {
    // better-sqlite3 binds no booleans: SQLite keeps them as 1 and 0.
    const active = sql.pick<boolean | number>({
      postgres: filter.active,
      sqlite: Number(filter.active),
    });
    where.push(`a.is_active = ${bind(active)}`);
  }
  if (filter.role !== undefined) {
    where.push(`EXISTS (SELECT 1 FROM user_roles ur JOIN roles r ON r.id = ur.role_id
                         WHERE ur.user_id = a.id AND r.name = ${bind(filter.role)})`);
  }
  if (filter.afterId !== undefined) where.push(`a.id > ${bind(filter.afterId)}`);
  const text = `SELECT a.id, a.login, a.email, a.is_active, a.email_verified, a.created_at
                  FROM auth_info a
                 ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY a.id
                 LIMIT ${bind(filter.limit)}`;
  return { text, params };
}

/**
 * The operator's account directory. A prefix is searched as a range of the lower-cased columns in
 * byte order, which the prefix indexes serve on both databases (Postgres: `text_pattern_ops` and its
 * `~>=~`/`~<~` operators, which also hold in generic plans of prepared statements; SQLite: the
 * BINARY-collated unique indexes), and checked exactly with an escaped LIKE.
 */
export class DirectoryRepository {
  constructor(
    private readonly db: EntityManager,
    private readonly sql: SqlDialect,
  ) {}

  async search(filter: DirectoryFilter): Promise<DirectoryEntry[]> {
    const { text, params } = directorySearch(this.sql, filter);
    const rows = await this.sql.query<EntryRow>(this.db, text, params);
    const roles = await this.rolesOf(rows.map((r) => r.id));
    return rows.map((row) => ({
      id: row.id,
      login: row.login,
      email: row.email,
      isActive: Boolean(row.is_active),
      emailVerified: Boolean(row.email_verified),
      roles: roles.get(row.id) ?? [],
      createdAt: this.sql.fromTimestamp(row.created_at),
    }));
  }

  /** When the account was created; null for an unknown id. */
  async createdAt(id: number): Promise<Date | null> {
    const p = this.sql.pick({ postgres: '$1', sqlite: '?' });
    const rows = await this.sql.query<{ created_at: Date | string }>(
      this.db,
      `SELECT created_at FROM auth_info WHERE id = ${p}`,
      [id],
    );
    return rows[0] ? this.sql.fromTimestamp(rows[0].created_at) : null;
  }

  private async rolesOf(ids: number[]): Promise<Map<number, string[]>> {
    const byAccount = new Map<number, string[]>();
    if (ids.length === 0) return byAccount;
    // One text for every page size on Postgres (an array parameter); SQLite binds a list.
    const [ofIds, params] = this.sql.pick<[string, unknown[]]>({
      postgres: ['= ANY($1::int[])', [ids]],
      sqlite: [`IN (${ids.map(() => '?').join(', ')})`, ids],
    });
    const rows = await this.sql.query<{ user_id: number; name: string }>(
      this.db,
      `SELECT ur.user_id, r.name FROM user_roles ur JOIN roles r ON r.id = ur.role_id
        WHERE ur.user_id ${ofIds} ORDER BY r.name`,
      params,
    );
    for (const row of rows) {
      const id = Number(row.user_id);
      byAccount.set(id, [...(byAccount.get(id) ?? []), row.name]);
    }
    return byAccount;
  }
}
