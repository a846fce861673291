import { hotQuery, placeholders, sqlTimestamp } from '@platform/common';
import type { EntityManager } from 'typeorm';
import type { AuditEntry } from '../domain/audit.js';

/**
 * The INSERT of one audit record, its parameters numbered from `first` so that another statement can
 * carry it (a login's session and its record travel as one statement on Postgres).
 */
export function auditInsert(
  db: EntityManager,
  entry: AuditEntry,
  first = 1,
): { sql: string; params: unknown[] } {
  const p = placeholders(db, 10, first);
  return {
    sql: `INSERT INTO audit_log
         (occurred_at, action, outcome, reason, user_id, actor_id, login, ip, request_id, details)
       VALUES (${p.join(', ')})`,
    params: [
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
    ],
  };
}

/** The append-only audit table: rows are inserted, never changed (triggers refuse UPDATE and DELETE). */
export class AuditRepository {
  constructor(private readonly db: EntityManager) {}

  /** On every failed login: one prepared statement (hotQuery). */
  async append(entry: AuditEntry): Promise<void> {
    const { sql, params } = auditInsert(this.db, entry);
    await hotQuery(this.db, sql, params);
  }
}
