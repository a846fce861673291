import { randomUUID } from 'node:crypto';
import { In, IsNull, type EntityManager } from 'typeorm';
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

  /** The oldest unsent events, in the order they were written. */
  async pending(limit: number): Promise<PendingEvent[]> {
    const rows = await this.db.find(OutboxEntity, { where: { sent_at: IsNull() }, order: { id: 'ASC' }, take: limit });
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
