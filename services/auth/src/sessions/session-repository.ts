import {
  fromSqlTimestamp,
  hotQuery,
  onPostgres,
  sqlText,
  sqlTimestamp,
  type SqlTemplate,
} from '@platform/common';
import { In, IsNull, type EntityManager } from 'typeorm';
import { BlacklistEntity, SessionEntity, type SessionRow } from '../data/entities.js';
import { deleteBatch } from '../data/delete-batch.js';
import { auditInsert, auditParams } from '../audit/audit-repository.js';
import type { AuditEntry } from '../audit/audit-trail.js';

export interface Session {
  id: string;
  userId: number;
  refreshJti: string;
  createdAt: Date;
  /** When the current refresh token expires; no token of the session outlives it. */
  expiresAt: Date;
  revokedAt: Date | null;
}

export interface RevokedToken {
  jti: string;
  userId: number;
  expiresAt: Date;
}

const insertSession: SqlTemplate = (p) =>
  `INSERT INTO sessions (id, user_id, refresh_jti, created_at, expires_at)
   VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)})`;
const CREATE_SESSION = sqlText(insertSession);
/** Postgres only: the audit record as a data-modifying WITH of the session's INSERT. */
const CREATE_SESSION_WITH_AUDIT = sqlText(
  (p) => `WITH audit AS (${auditInsert(6)(p)}) ${insertSession(p)}`,
);
const APPEND_AUDIT = sqlText(auditInsert(1));

const TOKEN_STATE = sqlText(
  (p) => `SELECT EXISTS (SELECT 1 FROM token_blacklist WHERE jti = ${p(1)}) AS blacklisted,
                 s.id, s.user_id, s.refresh_jti, s.created_at, s.expires_at, s.revoked_at
            FROM (SELECT 1 AS one) AS presented
            LEFT JOIN sessions s ON s.id = ${p(2)}`,
);

/**
 * TOKEN_STATE's one row: the session's columns are null when there is no such session; timestamps
 * come back as Dates from Postgres and as text from SQLite; SQLite's EXISTS is 0 or 1.
 */
interface TokenStateRow {
  blacklisted: boolean | number;
  id: string | null;
  user_id: number | null;
  refresh_jti: string | null;
  created_at: Date | string | null;
  expires_at: Date | string | null;
  revoked_at: Date | string | null;
}

/**
 * Postgres: the compare-and-swap of a session's refresh token, and the replaced token onto the
 * blacklist when it won, as one statement (a token already there stays as it was).
 */
const ROTATE_AND_BLACKLIST = `
  WITH rotated AS (
    UPDATE sessions SET refresh_jti = $3::varchar, expires_at = $4::timestamptz
     WHERE id = $1::varchar AND refresh_jti = $2::varchar AND revoked_at IS NULL
    RETURNING id),
  listed AS (
    INSERT INTO token_blacklist (jti, user_id, expires_at, blacklisted_at)
    SELECT $2::varchar, $5::int, $6::timestamptz, $7::timestamptz FROM rotated
    ON CONFLICT (jti) DO NOTHING)
  SELECT id FROM rotated`;

/** SQLite: the same in two statements, inside one transaction. */
const ROTATE = `UPDATE sessions SET refresh_jti = ?, expires_at = ?
  WHERE id = ? AND refresh_jti = ? AND revoked_at IS NULL RETURNING id`;
const BLACKLIST_ONE = `INSERT INTO token_blacklist (jti, user_id, expires_at, blacklisted_at)
  VALUES (?, ?, ?, ?) ON CONFLICT (jti) DO NOTHING`;

/** Sessions (one per login, followed through refresh rotation) and the token blacklist. */
export class TokenRepository {
  constructor(private readonly db: EntityManager) {}

  /**
   * A new session and, when given, the audit record of the login that starts it, atomically: on
   * Postgres one prepared statement (hotQuery), the record's INSERT a data-modifying WITH of the
   * session's, so it needs no transaction around it; on SQLite the two INSERTs in the caller's
   * transaction or one of their own.
   */
  async createSession(
    session: { id: string; userId: number; refreshJti: string; createdAt: Date; expiresAt: Date },
    audit?: AuditEntry,
  ): Promise<void> {
    const params = [
      session.id,
      session.userId,
      session.refreshJti,
      sqlTimestamp(this.db, session.createdAt),
      sqlTimestamp(this.db, session.expiresAt),
    ];
    if (!audit) {
      await hotQuery(this.db, CREATE_SESSION(this.db), params);
    } else if (onPostgres(this.db)) {
      await hotQuery(this.db, CREATE_SESSION_WITH_AUDIT(this.db), [
        ...params,
        ...auditParams(this.db, audit),
      ]);
    } else {
      await inTransaction(this.db, async (db) => {
        await hotQuery(db, CREATE_SESSION(db), params);
        await hotQuery(db, APPEND_AUDIT(db), auditParams(db, audit));
      });
    }
  }

  /**
   * On every refresh and every authenticated request, one round trip (hotQuery): the token's session
   * (null when there is none) and whether the token itself is on the blacklist.
   */
  async tokenState(
    jti: string,
    sessionId: string,
  ): Promise<{ session: Session | null; blacklisted: boolean }> {
    const [row] = await hotQuery<TokenStateRow>(this.db, TOKEN_STATE(this.db), [jti, sessionId]);
    const blacklisted = Boolean(row?.blacklisted);
    if (!row?.id) return { session: null, blacklisted };
    return {
      blacklisted,
      session: {
        id: row.id,
        userId: Number(row.user_id),
        refreshJti: row.refresh_jti!,
        createdAt: fromSqlTimestamp(row.created_at!),
        expiresAt: fromSqlTimestamp(row.expires_at!),
        revokedAt: row.revoked_at === null ? null : fromSqlTimestamp(row.revoked_at),
      },
    };
  }

  /**
   * Compare-and-swap of the session's current refresh token, and the replaced token onto the
   * blacklist, atomically: succeeds for exactly one caller that presents the current one, however
   * many race. On Postgres one statement; on SQLite two, in the caller's transaction or one of their
   * own.
   */
  async rotate(
    sessionId: string,
    from: RevokedToken,
    to: { jti: string; expiresAt: Date },
  ): Promise<boolean> {
    if (onPostgres(this.db)) {
      const rows = await hotQuery(this.db, ROTATE_AND_BLACKLIST, [
        sessionId,
        from.jti,
        to.jti,
        to.expiresAt,
        from.userId,
        from.expiresAt,
        new Date(),
      ]);
      return rows.length === 1;
    }
    let rotated = false;
    await inTransaction(this.db, async (db) => {
      const rows = await hotQuery(db, ROTATE, [
        to.jti,
        sqlTimestamp(db, to.expiresAt),
        sessionId,
        from.jti,
      ]);
      rotated = rows.length === 1;
      if (!rotated) return;
      await hotQuery(db, BLACKLIST_ONE, [
        from.jti,
        from.userId,
        sqlTimestamp(db, from.expiresAt),
        sqlTimestamp(db, new Date()),
      ]);
    });
    return rotated;
  }

  /** Ends the session unless it has ended already; true when this call ended it. */
  async revokeSession(sessionId: string, reason: string): Promise<boolean> {
    const result = await this.db.update(
      SessionEntity,
      { id: sessionId, revoked_at: IsNull() },
      { revoked_at: new Date(), revoked_reason: reason },
    );
    return (result.affected ?? 0) > 0;
  }

  /**
   * Ends the given sessions of the account that are still active, or all of them when `ids` is
   * undefined, and returns those it ended.
   */
  async revokeSessions(
    userId: number,
    reason: string,
    ids?: readonly string[],
  ): Promise<Session[]> {
    const active = await this.db.find(SessionEntity, {
      where: {
        user_id: userId,
        revoked_at: IsNull(),
        ...(ids === undefined ? {} : { id: In([...ids]) }),
      },
    });
    if (active.length === 0) return [];
    const revokedAt = new Date();
    const ended: Session[] = [];
    // Bounded IN lists; each row is re-checked, so a session ended meanwhile is not reported twice.
    for (let i = 0; i < active.length; i += 500) {
      const batch = active.slice(i, i + 500);
      const result = await this.db.update(
        SessionEntity,
        { id: In(batch.map((row) => row.id)), revoked_at: IsNull() },
        { revoked_at: revokedAt, revoked_reason: reason },
      );
      let mine = batch;
      if ((result.affected ?? batch.length) < batch.length) {
        // A concurrent revocation ended some of them first: report only the ones this call ended.
        const ours = await this.db.find(SessionEntity, {
          select: { id: true },
          where: { id: In(batch.map((row) => row.id)), revoked_at: revokedAt },
        });
        const ids = new Set(ours.map((row) => row.id));
        mine = batch.filter((row) => ids.has(row.id));
      }
      ended.push(...mine.map((row) => ({ ...toSession(row), revokedAt })));
    }
    return ended;
  }

  /** Adds tokens to the blacklist; a token already there stays as it was. */
  async blacklist(tokens: RevokedToken[]): Promise<void> {
    if (tokens.length === 0) return;
    const existing = new Set(
      (
        await this.db.find(BlacklistEntity, {
          select: { jti: true },
          where: { jti: In(tokens.map((t) => t.jti)) },
        })
      ).map((r) => r.jti),
    );
    const fresh = tokens.filter((t) => !existing.has(t.jti));
    if (fresh.length === 0) return;
    await this.db
      .createQueryBuilder()
      .insert()
      .into(BlacklistEntity)
      .values(
        fresh.map((t) => ({
          jti: t.jti,
          user_id: t.userId,
          expires_at: t.expiresAt,
          blacklisted_at: new Date(),
        })),
      )
      .orIgnore()
      .execute();
  }

  /** Rows on the blacklist, expired ones not yet cleaned up included (for the metrics). */
  blacklistSize(): Promise<number> {
    return this.db.count(BlacklistEntity);
  }

  /** Deletes up to `limit` blacklist entries of tokens that expired before `before`; returns how many. */
  deleteExpiredBlacklist(before: Date, limit: number): Promise<number> {
    return deleteBatch(
      this.db,
      BlacklistEntity,
      { where: 'victim.expires_at < :before', params: { before }, orderBy: 'victim.expires_at' },
      limit,
    );
  }

  /**
   * Deletes up to `limit` sessions, revoked or not, whose current refresh token expired before
   * `before`: no token of theirs can be accepted any more (an access token never outlives the refresh
   * token issued with it). Returns how many.
   */
  deleteExpiredSessions(before: Date, limit: number): Promise<number> {
    return deleteBatch(
      this.db,
      SessionEntity,
      { where: 'victim.expires_at < :before', params: { before }, orderBy: 'victim.expires_at' },
      limit,
    );
  }
}

function toSession(row: SessionRow): Session {
  return {
    id: row.id,
    userId: row.user_id,
    refreshJti: row.refresh_jti,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
  };
}

/** Runs `work` in `db`'s transaction, or in a new one when `db` is outside any. */
function inTransaction(
  db: EntityManager,
  work: (db: EntityManager) => Promise<void>,
): Promise<void> {
  return db.queryRunner?.isTransactionActive ? work(db) : db.transaction(work);
}
