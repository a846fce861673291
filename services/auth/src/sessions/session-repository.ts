import { statement, type SqlDialect } from '@platform/common';
import { In, IsNull, MoreThan, type EntityManager } from 'typeorm';
import type { AuditEntry } from '../audit/audit-trail.js';
import { deleteBatch } from '../data/delete-batch.js';
import { BlacklistEntity, SessionEntity, type SessionRow } from '../data/entities.js';

export interface Session {
  id: string;
  userId: number;
  refreshJti: string;
  createdAt: Date;
  /** When the current refresh token expires; no token of the session outlives it. */
  expiresAt: Date;
  revokedAt: Date | null;
  /** The access token issued with the current refresh token (null for sessions older than this). */
  accessJti: string | null;
  /** The refresh token the current one replaced; null before the first refresh. */
  previousRefreshJti: string | null;
  /** The last rotation, which issued the current pair; null before the first refresh. */
  refreshedAt: Date | null;
  /** How its login was proven: the tokens of every refresh carry it on. */
  proof: SessionProof;
}

/** How a session's login was proven (RFC 8176 `amr` values) and the assurance level that gives. */
export interface SessionProof {
  amr: readonly string[];
  aal: 1 | 2;
}

/** A live session as its owner is shown it. */
export interface ListedSession {
  id: string;
  createdAt: Date;
  refreshedAt: Date | null;
  ip: string | null;
  userAgent: string | null;
}

/** The pair a rotation moves a session to, and the client that asked for it. */
export interface Rotation {
  jti: string;
  accessJti: string;
  expiresAt: Date;
  issuedAt: Date;
  ip: string | null;
}

export interface RevokedToken {
  jti: string;
  userId: number;
  expiresAt: Date;
}

export interface NewSession {
  id: string;
  userId: number;
  refreshJti: string;
  accessJti: string;
  createdAt: Date;
  expiresAt: Date;
  ip: string | null;
  userAgent: string | null;
  proof: SessionProof;
}

/**
 * The parameters enter once, as the columns of a one-row table: SQLite (built with STAT4) recompiles
 * a statement on every execution whose LEFT JOIN compares with a bound parameter directly.
 */
const TOKEN_STATE = statement(
  (p) => `SELECT EXISTS (SELECT 1 FROM token_blacklist b WHERE b.jti = given.jti) AS blacklisted,
                 s.id, s.user_id, s.refresh_jti, s.created_at, s.expires_at, s.revoked_at,
                 s.access_jti, s.previous_refresh_jti, s.refreshed_at,
                 s.amr, s.aal
            FROM (SELECT CAST(${p(1)} AS VARCHAR) AS jti,
                         CAST(${p(2)} AS VARCHAR) AS session_id) AS given
            LEFT JOIN sessions s ON s.id = given.session_id`,
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
  access_jti: string | null;
  previous_refresh_jti: string | null;
  refreshed_at: Date | string | null;
  amr: string | null;
  aal: number | null;
}

/**
 * Sessions (one per login, followed through refresh rotation) and the token blacklist. The two writes
 * of the hot path, a session with its login's audit record and a rotation, are atomic without a
 * transaction on Postgres and need one on SQLite: they come in PostgresSessionRepository and
 * SqliteSessionRepository; everything else is shared here.
 */
export abstract class SessionRepository {
  constructor(
    protected readonly db: EntityManager,
    protected readonly sql: SqlDialect,
  ) {}

  /** A new session and, when given, the audit record of the login that starts it, atomically. */
  abstract createSession(session: NewSession, audit?: AuditEntry): Promise<void>;

  /**
   * Compare-and-swap of the session's current refresh token, and the replaced token onto the
   * blacklist, atomically: succeeds for exactly one caller that presents the current one, however
   * many race.
   */
  abstract rotate(sessionId: string, from: RevokedToken, to: Rotation): Promise<boolean>;

  /**
   * On every refresh and every authenticated request, one round trip: the token's session
   * (null when there is none) and whether the token itself is on the blacklist.
   */
  async tokenState(
    jti: string,
    sessionId: string,
  ): Promise<{ session: Session | null; blacklisted: boolean }> {
    const [row] = await this.sql.query<TokenStateRow>(this.db, TOKEN_STATE, [jti, sessionId]);
    const blacklisted = Boolean(row?.blacklisted);
    if (!row?.id) return { session: null, blacklisted };
    return {
      blacklisted,
      session: {
        id: row.id,
        userId: Number(row.user_id),
        refreshJti: row.refresh_jti!,
        createdAt: this.sql.fromTimestamp(row.created_at!),
        expiresAt: this.sql.fromTimestamp(row.expires_at!),
        revokedAt: row.revoked_at === null ? null : this.sql.fromTimestamp(row.revoked_at),
        accessJti: row.access_jti,
        previousRefreshJti: row.previous_refresh_jti,
        refreshedAt: row.refreshed_at === null ? null : this.sql.fromTimestamp(row.refreshed_at),
        proof: readProof(row.amr, row.aal),
      },
    };
  }

  /**
   * The account's live sessions (not ended, their refresh token unexpired, started after
   * `startedAfter`, the absolute lifetime's cut-off), newest sign-in first, at most `limit`, and how
   * many there are in all.
   */
  async listLive(
    userId: number,
    now: Date,
    startedAfter: Date,
    limit: number,
  ): Promise<{ sessions: ListedSession[]; total: number }> {
    const [rows, total] = await this.db.findAndCount(SessionEntity, {
      where: liveWhere(userId, now, startedAfter),
      order: { created_at: 'DESC', id: 'ASC' },
      take: limit,
    });
    return {
      total,
      sessions: rows.map((row) => ({
        id: row.id,
        createdAt: row.created_at,
        refreshedAt: row.refreshed_at,
        ip: row.ip,
        userAgent: row.user_agent,
      })),
    };
  }

  /** The User-Agents of the account's latest sessions, ended ones included, newest first. */
  async userAgentsOf(userId: number, limit: number): Promise<(string | null)[]> {
    const rows = await this.db.find(SessionEntity, {
      select: { user_agent: true },
      where: { user_id: userId },
      order: { created_at: 'DESC' },
      take: limit,
    });
    return rows.map((row) => row.user_agent);
  }

  /** Whether `id` is a live session of the account (see listLive). */
  async isLive(userId: number, id: string, now: Date, startedAfter: Date): Promise<boolean> {
    return this.db.exists(SessionEntity, {
      where: { ...liveWhere(userId, now, startedAfter), id },
    });
  }

  /**
   * Ends the given sessions of the account that are still active, or all of them when `ids` is
   * undefined, but `except`, and returns those it ended.
   */
  async revokeSessions(
    userId: number,
    reason: string,
    ids?: readonly string[],
    except?: string,
  ): Promise<Session[]> {
    const found = await this.db.find(SessionEntity, {
      where: {
        user_id: userId,
        revoked_at: IsNull(),
        ...(ids === undefined ? {} : { id: In([...ids]) }),
      },
    });
    const active = except === undefined ? found : found.filter((row) => row.id !== except);
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
  /** The account's sessions that are neither ended nor expired. */
  async countActive(userId: number, now = new Date()): Promise<number> {
    return this.db.count(SessionEntity, {
      where: { user_id: userId, revoked_at: IsNull(), expires_at: MoreThan(now) },
    });
  }

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
      this.sql,
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
      this.sql,
      SessionEntity,
      { where: 'victim.expires_at < :before', params: { before }, orderBy: 'victim.expires_at' },
      limit,
    );
  }
}

function liveWhere(userId: number, now: Date, startedAfter: Date) {
  return {
    user_id: userId,
    revoked_at: IsNull(),
    expires_at: MoreThan(now),
    created_at: MoreThan(startedAfter),
  };
}

function toSession(row: SessionRow): Session {
  return {
    id: row.id,
    userId: row.user_id,
    refreshJti: row.refresh_jti,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    accessJti: row.access_jti,
    previousRefreshJti: row.previous_refresh_jti,
    refreshedAt: row.refreshed_at,
    proof: readProof(row.amr, row.aal),
  };
}

export function readProof(amr: string | null, aal: number | null): SessionProof {
  return { amr: (amr ?? 'pwd').split(','), aal: Number(aal) === 2 ? 2 : 1 };
}

/** The columns a new session's proof is stored in. */
export function proofParams(proof: SessionProof): [string, number] {
  return [proof.amr.join(','), proof.aal];
}
