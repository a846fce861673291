import { statement } from '@platform/common';
import { auditInsert, auditParams } from '../audit/audit-repository.js';
import type { AuditEntry } from '../audit/audit-trail.js';
import {
  proofParams,
  SessionRepository,
  type NewSession,
  type RevokedToken,
  type Rotation,
} from './session-repository.js';

const insertSession = (p: (n: number) => string) =>
  `INSERT INTO sessions (id, user_id, refresh_jti, created_at, expires_at, access_jti, ip, user_agent, amr, aal)
   VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)}, ${p(7)}, ${p(8)}, ${p(9)}, ${p(10)})`;
const CREATE_SESSION = statement(insertSession);
/** The audit record as a data-modifying WITH of the session's INSERT: one statement, atomic. */
const CREATE_SESSION_WITH_AUDIT = statement(
  (p) => `WITH audit AS (${auditInsert(11)(p)}) ${insertSession(p)}`,
);

/**
 * The compare-and-swap of a session's refresh token, and the replaced token onto the blacklist when
 * it won, as one statement (a token already there stays as it was).
 */
const ROTATE_AND_BLACKLIST = `
  WITH rotated AS (
    UPDATE sessions SET refresh_jti = $3::varchar, expires_at = $4::timestamptz,
           previous_refresh_jti = $2::varchar, access_jti = $8::varchar,
           refreshed_at = $9::timestamptz, ip = COALESCE($10::varchar, ip)
     WHERE id = $1::varchar AND refresh_jti = $2::varchar AND revoked_at IS NULL
    RETURNING id),
  listed AS (
    INSERT INTO token_blacklist (jti, user_id, expires_at, blacklisted_at)
    SELECT $2::varchar, $5::int, $6::timestamptz, $7::timestamptz FROM rotated
    ON CONFLICT (jti) DO NOTHING)
  SELECT id FROM rotated`;

/** Sessions on Postgres: each hot write is one prepared statement, so it needs no transaction. */
export class PostgresSessionRepository extends SessionRepository {
  async createSession(session: NewSession, audit?: AuditEntry): Promise<void> {
    const params = [
      session.id,
      session.userId,
      session.refreshJti,
      session.createdAt,
      session.expiresAt,
      session.accessJti,
      session.ip,
      session.userAgent,
      ...proofParams(session.proof),
    ];
    if (!audit) await this.sql.query(this.db, CREATE_SESSION, params);
    else
      await this.sql.query(this.db, CREATE_SESSION_WITH_AUDIT, [
        ...params,
        ...auditParams(this.sql, audit),
      ]);
  }

  async rotate(sessionId: string, from: RevokedToken, to: Rotation): Promise<boolean> {
    const rows = await this.sql.query(this.db, ROTATE_AND_BLACKLIST, [
      sessionId,
      from.jti,
      to.jti,
      to.expiresAt,
      from.userId,
      from.expiresAt,
      new Date(),
      to.accessJti,
      to.issuedAt,
      to.ip,
    ]);
    return rows.length === 1;
  }
}
