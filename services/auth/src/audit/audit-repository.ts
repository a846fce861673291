import { hotQuery, sqlText, sqlTimestamp, type SqlTemplate } from '@platform/common';
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

/** The parameters of auditInsert(), in order. */
export function auditParams(db: EntityManager, entry: AuditEntry): unknown[] {
  return [
    sqlTimestamp(db, new Date()),
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

const APPEND = sqlText(auditInsert(1));

/** The append-only audit table: rows are inserted, never changed (triggers refuse UPDATE and DELETE). */
export class AuditRepository {
  constructor(private readonly db: EntityManager) {}

  /** On every failed login: one prepared statement (hotQuery). */
  async append(entry: AuditEntry): Promise<void> {
    await hotQuery(this.db, APPEND(this.db), auditParams(this.db, entry));
  }
}
