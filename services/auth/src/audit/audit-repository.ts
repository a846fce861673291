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

/** Which audit records a query reads. */
export interface AuditFilter {
  actorId?: number | undefined;
  userId?: number | undefined;
  action?: string | undefined;
  /** At or after. */
  from?: Date | undefined;
  /** Before. */
  to?: Date | undefined;
}

/** An audit record as it is read back. */
export interface AuditRecord {
  id: number;
  occurredAt: Date;
  action: string;
  outcome: string;
  reason: string | null;
  userId: number | null;
  actorId: number | null;
  login: string | null;
  ip: string | null;
  requestId: string | null;
  details: Record<string, string | number | boolean> | null;
}

interface AuditRecordRow {
  id: number;
  occurred_at: Date | string;
  action: string;
  outcome: string;
  reason: string | null;
  user_id: number | null;
  actor_id: number | null;
  login: string | null;
  ip: string | null;
  request_id: string | null;
  details: string | null;
}

/** Reads the audit trail by keyset on id: a page or a batch never moves when records are appended. */
export class AuditQueryRepository {
  constructor(
    private readonly db: EntityManager,
    private readonly sql: SqlDialect,
  ) {}

  /**
   * Up to `limit` records matching `filter`, from the id after `afterId` on, newest first
   * (`direction: 'desc'`, ids below `afterId`) or oldest first (ids above it).
   */
  async read(
    filter: AuditFilter,
    page: { afterId?: number | undefined; direction: 'asc' | 'desc'; limit: number },
  ): Promise<AuditRecord[]> {
    const params: unknown[] = [];
    const bind = (value: unknown) => {
      params.push(value);
      return this.sql.pick({ postgres: `$${params.length}`, sqlite: '?' });
    };
    const where: string[] = [];
    if (filter.actorId !== undefined) where.push(`actor_id = ${bind(filter.actorId)}`);
    if (filter.userId !== undefined) where.push(`user_id = ${bind(filter.userId)}`);
    if (filter.action !== undefined) where.push(`action = ${bind(filter.action)}`);
    if (filter.from) where.push(`occurred_at >= ${bind(this.sql.toTimestamp(filter.from))}`);
    if (filter.to) where.push(`occurred_at < ${bind(this.sql.toTimestamp(filter.to))}`);
    if (page.afterId !== undefined) {
      where.push(`id ${page.direction === 'desc' ? '<' : '>'} ${bind(page.afterId)}`);
    }
    const text = `SELECT id, occurred_at, action, outcome, reason, user_id, actor_id, login, ip,
                         request_id, details
                    FROM audit_log
                   ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
                   ORDER BY id ${page.direction === 'desc' ? 'DESC' : 'ASC'}
                   LIMIT ${bind(page.limit)}`;
    const rows = await this.sql.query<AuditRecordRow>(this.db, text, params);
    return rows.map((row) => ({
      id: Number(row.id),
      occurredAt: this.sql.fromTimestamp(row.occurred_at),
      action: row.action,
      outcome: row.outcome,
      reason: row.reason,
      userId: row.user_id === null ? null : Number(row.user_id),
      actorId: row.actor_id === null ? null : Number(row.actor_id),
      login: row.login,
      ip: row.ip,
      requestId: row.request_id,
      details: row.details === null ? null : (JSON.parse(row.details) as AuditRecord['details']),
    }));
  }
}
