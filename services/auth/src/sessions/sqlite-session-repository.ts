import type { EntityManager } from 'typeorm';
import { APPEND_AUDIT, auditParams } from '../audit/audit-repository.js';
import type { AuditEntry } from '../audit/audit-trail.js';
import {
  proofParams,
  SessionRepository,
  type NewSession,
  type RevokedToken,
  type Rotation,
} from './session-repository.js';

const CREATE_SESSION = `INSERT INTO sessions
  (id, user_id, refresh_jti, created_at, expires_at, access_jti, ip, user_agent, amr, aal)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const ROTATE = `UPDATE sessions SET refresh_jti = ?, expires_at = ?, previous_refresh_jti = ?,
  access_jti = ?, refreshed_at = ?, ip = COALESCE(?, ip)
  WHERE id = ? AND refresh_jti = ? AND revoked_at IS NULL RETURNING id`;
const BLACKLIST_ONE = `INSERT INTO token_blacklist (jti, user_id, expires_at, blacklisted_at)
  VALUES (?, ?, ?, ?) ON CONFLICT (jti) DO NOTHING`;

/**
 * Sessions on SQLite: a hot write of two statements runs in the caller's transaction, or in one of
 * its own (which the store's turn-taking keeps apart from every other statement).
 */
export class SqliteSessionRepository extends SessionRepository {
  async createSession(session: NewSession, audit?: AuditEntry): Promise<void> {
    const { sql } = this;
    const params = [
      session.id,
      session.userId,
      session.refreshJti,
      sql.toTimestamp(session.createdAt),
      sql.toTimestamp(session.expiresAt),
      session.accessJti,
      session.ip,
      session.userAgent,
      ...proofParams(session.proof),
    ];
    if (!audit) {
      await sql.query(this.db, CREATE_SESSION, params);
      return;
    }
    await inTransaction(this.db, async (db) => {
      await sql.query(db, CREATE_SESSION, params);
      await sql.query(db, APPEND_AUDIT, auditParams(sql, audit));
    });
  }

  async rotate(sessionId: string, from: RevokedToken, to: Rotation): Promise<boolean> {
    const { sql } = this;
    let rotated = false;
    await inTransaction(this.db, async (db) => {
      const rows = await sql.query(db, ROTATE, [
        to.jti,
        sql.toTimestamp(to.expiresAt),
        from.jti,
        to.accessJti,
        sql.toTimestamp(to.issuedAt),
        to.ip,
        sessionId,
        from.jti,
      ]);
      rotated = rows.length === 1;
      if (!rotated) return;
      await sql.query(db, BLACKLIST_ONE, [
        from.jti,
        from.userId,
        sql.toTimestamp(from.expiresAt),
        sql.toTimestamp(new Date()),
      ]);
    });
    return rotated;
  }
}

/** Runs `work` in `db`'s transaction, or in a new one when `db` is outside any. */
function inTransaction(
  db: EntityManager,
  work: (db: EntityManager) => Promise<void>,
): Promise<void> {
  return db.queryRunner?.isTransactionActive ? work(db) : db.transaction(work);
}
