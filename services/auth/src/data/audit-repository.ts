import { hotQuery, placeholders, sqlTimestamp } from '@platform/common';
import type { EntityManager } from 'typeorm';
import type { AuditEntry } from '../domain/audit.js';

/** The append-only audit table: rows are inserted, never changed (triggers refuse UPDATE and DELETE). */
export class AuditRepository {
  constructor(private readonly db: EntityManager) {}

  /** On every login, failed or not: one prepared statement (hotQuery). */
  async append(entry: AuditEntry): Promise<void> {
    const p = placeholders(this.db, 10);
    await hotQuery(
      this.db,
      `INSERT INTO audit_log
         (occurred_at, action, outcome, reason, user_id, actor_id, login, ip, request_id, details)
       VALUES (${p.join(', ')})`,
      [
        sqlTimestamp(this.db, new Date()),
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
    );
  }
}
