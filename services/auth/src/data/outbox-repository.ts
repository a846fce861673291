import { randomUUID } from 'node:crypto';
import { In, IsNull, LessThan, type EntityManager } from 'typeorm';
import { OutboxEntity } from './entities.js';
import type { PendingEvent } from './records.js';

export interface OutgoingEvent {
  eventType: string;
  aggregateId: number;
  payload: unknown;
  correlationId?: string | undefined;
}

/** Events written in the same transaction as the change that caused them, published later by the relay. */
export class OutboxRepository {
  constructor(private readonly db: EntityManager) {}

  async add(event: OutgoingEvent): Promise<void> {
    await this.db.insert(OutboxEntity, {
      message_id: randomUUID(),
      event_type: event.eventType,
      aggregate_id: event.aggregateId,
      payload: JSON.stringify(event.payload),
      correlation_id: event.correlationId ?? null,
      created_at: new Date(),
      sent_at: null,
      attempts: 0,
      last_error: null,
    });
  }

  /**
   * Claims the oldest unsent events for this transaction. On Postgres the rows are locked with
   * `FOR UPDATE SKIP LOCKED`, so relays in other replicas take other rows; an account whose earlier
   * event is held by another relay is left out entirely, which keeps each account's events in order.
   */
  async claim(limit: number): Promise<PendingEvent[]> {
    const postgres = this.db.connection.options.type === 'postgres';
    const query = this.db
      .createQueryBuilder(OutboxEntity, 'o')
      .where('o.sent_at IS NULL')
      .orderBy('o.id', 'ASC')
      .take(limit);
    if (postgres) query.setLock('pessimistic_write').setOnLocked('skip_locked');
    let rows = await query.getMany();
    if (postgres && rows.length > 0) {
      const firstPending = await this.db
        .createQueryBuilder(OutboxEntity, 'o')
        .select('o.aggregate_id', 'aggregate_id')
        .addSelect('MIN(o.id)', 'first_id')
        .where('o.sent_at IS NULL')
        .andWhere('o.aggregate_id IN (:...ids)', { ids: [...new Set(rows.map((r) => r.aggregate_id))] })
        .groupBy('o.aggregate_id')
        .getRawMany<{ aggregate_id: number; first_id: number | string }>();
      const mine = new Set(rows.map((r) => r.id));
      const blocked = new Set(firstPending.filter((p) => !mine.has(Number(p.first_id))).map((p) => p.aggregate_id));
      rows = rows.filter((r) => !blocked.has(r.aggregate_id));
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
  async pruneSent(cutoff: Date, limit: number): Promise<number> {
    const ids = (
      await this.db.find(OutboxEntity, {
        select: { id: true },
        where: { sent_at: LessThan(cutoff) },
        order: { id: 'ASC' },
        take: limit,
      })
    ).map((r) => r.id);
    if (ids.length === 0) return 0;
    await this.db.delete(OutboxEntity, { id: In(ids) });
    return ids.length;
  }

  async pendingCount(): Promise<number> {
    return this.db.count(OutboxEntity, { where: { sent_at: IsNull() } });
  }

  async markSent(ids: number[]): Promise<void> {
    if (ids.length > 0) await this.db.update(OutboxEntity, { id: In(ids) }, { sent_at: new Date() });
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
