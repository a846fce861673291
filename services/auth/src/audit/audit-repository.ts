import { statement, type SqlDialect, type SqlTemplate } from '@platform/common';
import type { EntityManager } from 'typeorm';
import type { AuditEntry } from './audit-trail.js';

/**
 * The INSERT of one audit record, its parameters numbered from `first` so that another statement can
 * carry it (a login's session and its record travel as one statement on Postgres).
 */
export const auditInsert =
  (first: number): SqlTemplate =>
  (p) =>
    `INSERT INTO audit_log
       (occurred_at, action, outcome, reason, user_id, actor_id, login, ip, request_id, details)
     VALUES (${Array.from({ length: 10 }, (_, i) => p(first + i)).join(', ')})`;

export const APPEND_AUDIT = statement(auditInsert(1));

/** The parameters of auditInsert(), in order. */
export function auditParams(sql: SqlDialect, entry: AuditEntry): unknown[] {
  return [
    sql.toTimestamp(new Date()),
    entry.action,
    entry.outcome,
    entry.reason ?? null,
    entry.userId ?? null,
    entry.actorId ?? null,
    entry.login?.slice(0, 64) ?? null,
    entry.ip?.slice(0, 64) ?? null,
    entry.requestId?.slice(0, 128) ?? null,
    entry.details ? JSON.stringify(entry.details) : null,
  ];
}

/** The append-only audit table: rows are inserted, never changed (triggers refuse UPDATE and DELETE). */
export class AuditRepository {
  constructor(
    private readonly db: EntityManager,
    private readonly sql: SqlDialect,
  ) {}

  /** On every failed login: one prepared statement on Postgres. */
  async append(entry: AuditEntry): Promise<void> {
    await this.sql.query(this.db, APPEND_AUDIT, auditParams(this.sql, entry));
  }
}
