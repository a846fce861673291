import type { EntityManager } from 'typeorm';
import type { AuditEntry } from '../domain/audit.js';
import { AuditEntity } from './entities.js';

/** The append-only audit table: rows are inserted, never changed (triggers refuse UPDATE and DELETE). */
export class AuditRepository {
  constructor(private readonly db: EntityManager) {}

  async append(entry: AuditEntry): Promise<void> {
    await this.db.insert(AuditEntity, {
      occurred_at: new Date(),
      action: entry.action,
      outcome: entry.outcome,
      reason: entry.reason ?? null,
      user_id: entry.userId ?? null,
      actor_id: entry.actorId ?? null,
      login: entry.login?.slice(0, 64) ?? null,
      ip: entry.ip?.slice(0, 64) ?? null,
      request_id: entry.requestId?.slice(0, 128) ?? null,
      details: entry.details ? JSON.stringify(entry.details) : null,
    });
  }
}
