import { randomUUID } from 'node:crypto';
import type { SqlDialect } from '@platform/common';
import { In, IsNull, type EntityManager } from 'typeorm';
import { deleteBatch } from '../data/delete-batch.js';
import { OutboxEntity } from '../data/entities.js';

export interface PendingEvent {
  id: number;
  messageId: string;
  eventType: string;
  payload: string;
  correlationId: string | null;
  createdAt: Date;
  attempts: number;
}

export interface OutgoingEvent {
  eventType: string;
  aggregateId: number;
  payload: unknown;
  correlationId?: string | undefined;
}

/** Events written in the same transaction as the change that caused them, published later by the relay. */
export class OutboxRepository {
  constructor(
    private readonly db: EntityManager,
    private readonly sql: SqlDialect,
  ) {}

  /** Writes the event; returns its message id. */
  async add(event: OutgoingEvent): Promise<string> {
    const messageId = randomUUID();
    await this.db.insert(OutboxEntity, {
      message_id: messageId,
      event_type: event.eventType,
      aggregate_id: event.aggregateId,
      payload: JSON.stringify(event.payload),
      correlation_id: event.correlationId ?? null,
      created_at: new Date(),
      sent_at: null,
      attempts: 0,
      last_error: null,
    });
    return messageId;
  }

  /**
   * Claims the oldest unsent events for this transaction. Where transactions run at once (Postgres)
   * the rows are locked with `FOR UPDATE SKIP LOCKED`, so relays in other replicas take other rows; an
   * account's events that come after one held by another relay are left for later, which keeps each
   * account's events in order.
   */
  async claim(limit: number): Promise<PendingEvent[]> {
    const query = this.db
      .createQueryBuilder(OutboxEntity, 'o')
      .where('o.sent_at IS NULL')
      .orderBy('o.id', 'ASC')
      .take(limit);
    let rows = await this.sql.skipLocked(query).getMany();
    if (this.sql.concurrentTransactions && rows.length > 0) {
      // Rows are locked one by one, so concurrent claims can interleave: keep, per account, only the
      // rows that follow on from its oldest pending row without a row held by another relay between.
      const pending = await this.db
        .createQueryBuilder(OutboxEntity, 'o')
        .select(['o.id', 'o.aggregate_id'])
        .where('o.sent_at IS NULL')
        .andWhere('o.aggregate_id IN (:...ids)', {
          ids: [...new Set(rows.map((r) => r.aggregate_id))],
        })
        .andWhere('o.id <= :last', { last: rows[rows.length - 1]!.id })
        .orderBy('o.id', 'ASC')
        .getMany();
      const mine = new Set(rows.map((r) => r.id));
      const allowed = new Set<number>();
      const stopped = new Set<number>();
      for (const row of pending) {
        if (stopped.has(row.aggregate_id)) continue;
        if (mine.has(row.id)) allowed.add(row.id);
        else stopped.add(row.aggregate_id);
      }
      rows = rows.filter((r) => allowed.has(r.id));
    }
    return rows.map((r) => ({
      id: r.id,
      messageId: r.message_id,
      eventType: r.event_type,
      payload: r.payload,
      correlationId: r.correlation_id,
      createdAt: r.created_at,
      attempts: r.attempts,
    }));
  }

  /** Deletes up to `limit` events sent before `cutoff`; returns how many. */
  pruneSent(cutoff: Date, limit: number): Promise<number> {
    return deleteBatch(
      this.db,
      this.sql,
      OutboxEntity,
      { where: 'victim.sent_at < :cutoff', params: { cutoff }, orderBy: 'victim.sent_at' },
      limit,
    );
  }

  async pendingCount(): Promise<number> {
    return this.db.count(OutboxEntity, { where: { sent_at: IsNull() } });
  }

  /** When the oldest unsent event was written (through the index on sent_at, id); null when none waits. */
  async oldestPendingCreatedAt(): Promise<Date | null> {
    const row = await this.db.findOne(OutboxEntity, {
      select: { id: true, created_at: true },
      where: { sent_at: IsNull() },
      order: { id: 'ASC' },
    });
    return row?.created_at ?? null;
  }

  async markSent(ids: number[]): Promise<void> {
    if (ids.length > 0)
      await this.db.update(OutboxEntity, { id: In(ids) }, { sent_at: new Date() });
  }

  async markFailed(id: number, error: string): Promise<void> {
    await this.db
      .createQueryBuilder()
      .update(OutboxEntity)
      .set({ attempts: () => 'attempts + 1', last_error: error.slice(0, 1000) })
      .where('id = :id', { id })
      .execute();
  }
}
