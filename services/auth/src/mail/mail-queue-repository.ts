import type { SqlDialect } from '@platform/common';
import { In, type EntityManager } from 'typeorm';
import { deleteBatch } from '../data/delete-batch.js';
import { MailQueueEntity, type MailQueueRow } from '../data/entities.js';
import type { QueuedMail } from './mail.js';

/** A mail a courier has claimed: its lease keeps other couriers off it until `leaseUntil`. */
export interface ClaimedMail {
  id: number;
  template: string;
  to: string;
  subject: string;
  /** Null only if the row was damaged: bodies are deleted once a mail is sent or given up on. */
  text: string | null;
  html: string | null;
  correlationId: string | null;
  createdAt: Date;
  /** Deliveries tried so far, this one included. */
  attempts: number;
  leaseUntil: Date;
}

/** Waiting to be delivered: neither sent nor given up on. */
const PENDING = 'm.sent_at IS NULL AND m.failed_at IS NULL';
/** The longest stored error: a few SMTP replies, never a body. */
const ERROR_LENGTH = 1000;

/** The mail queue: mails written with the change that causes them, delivered later by the courier. */
export class MailQueueRepository {
  constructor(
    private readonly db: EntityManager,
    private readonly sql: SqlDialect,
  ) {}

  /** Queues the mail for delivery as soon as a courier takes it. */
  async enqueue(mail: QueuedMail): Promise<void> {
    const now = new Date();
    await this.db.insert(MailQueueEntity, {
      template: mail.template,
      to_address: mail.to,
      subject: mail.rendered.subject.slice(0, 255),
      text_body: mail.rendered.text,
      html_body: mail.rendered.html,
      correlation_id: mail.correlationId?.slice(0, 128) ?? null,
      created_at: now,
      attempts: 0,
      next_attempt_at: now,
      lease_until: null,
      sent_at: null,
      failed_at: null,
      last_error: null,
    });
  }

  /**
   * Claims up to `limit` due mails, oldest first, for `leaseSeconds`, and counts the attempt, in one
   * short transaction that commits before anything is sent: no transaction stays open across SMTP,
   * and mails claimed by a courier that dies go to the next one once the lease has passed. On
   * Postgres the rows are locked with SKIP LOCKED, so couriers in other replicas take other mails.
   */
  claim(limit: number, leaseSeconds: number): Promise<ClaimedMail[]> {
    return this.db.transaction(async (tx) => {
      const now = new Date();
      const rows = await this.sql
        .skipLocked(
          tx
            .createQueryBuilder(MailQueueEntity, 'm')
            .where(PENDING)
            .andWhere('m.next_attempt_at <= :now', { now })
            .andWhere('(m.lease_until IS NULL OR m.lease_until <= :now)', { now })
            .orderBy('m.id', 'ASC')
            .limit(limit),
        )
        .getMany();
      if (rows.length === 0) return [];
      const leaseUntil = new Date(now.getTime() + leaseSeconds * 1000);
      await tx
        .createQueryBuilder()
        .update(MailQueueEntity)
        .set({ lease_until: leaseUntil, attempts: () => 'attempts + 1' })
        .where({ id: In(rows.map((row) => row.id)) })
        .execute();
      return rows.map((row) => ({
        id: row.id,
        template: row.template,
        to: row.to_address,
        subject: row.subject,
        text: row.text_body,
        html: row.html_body,
        correlationId: row.correlation_id,
        createdAt: row.created_at,
        attempts: row.attempts + 1,
        leaseUntil,
      }));
    });
  }

  /** Delivered: the bodies (which may hold a token) are deleted. */
  async markSent(id: number): Promise<void> {
    await this.db.update(
      MailQueueEntity,
      { id },
      { sent_at: new Date(), text_body: null, html_body: null, lease_until: null },
    );
  }

  /** A passing failure: tried again from `nextAttemptAt`. `error` is the server's reply, never the mail. */
  async markRetry(id: number, error: string, nextAttemptAt: Date): Promise<void> {
    await this.updatePending(id, {
      next_attempt_at: nextAttemptAt,
      lease_until: null,
      last_error: error.slice(0, ERROR_LENGTH),
    });
  }

  /** Given up on: kept for the record without its bodies. */
  async markFailed(id: number, error: string): Promise<void> {
    await this.updatePending(id, {
      failed_at: new Date(),
      text_body: null,
      html_body: null,
      lease_until: null,
      last_error: error.slice(0, ERROR_LENGTH),
    });
  }

  /**
   * Hands claimed mails back without counting their attempt: they were not tried (the courier is
   * stopping, or its lease runs short), or the server could not be reached at all, which says
   * nothing about the mail. Due again at once, for any courier.
   */
  async release(ids: number[], error?: string): Promise<void> {
    if (ids.length === 0) return;
    await this.db
      .createQueryBuilder()
      .update(MailQueueEntity)
      .set({
        lease_until: null,
        attempts: () => 'attempts - 1',
        ...(error === undefined ? {} : { last_error: error.slice(0, ERROR_LENGTH) }),
      })
      .where({ id: In(ids) })
      .andWhere('sent_at IS NULL AND failed_at IS NULL')
      .execute();
  }

  async pendingCount(): Promise<number> {
    return this.db.createQueryBuilder(MailQueueEntity, 'm').where(PENDING).getCount();
  }

  /** When the oldest mail still waiting was queued; null when none waits. */
  async oldestPendingCreatedAt(): Promise<Date | null> {
    const row = await this.db
      .createQueryBuilder(MailQueueEntity, 'm')
      .select('MIN(m.created_at)', 'oldest')
      .where(PENDING)
      .getRawOne<{ oldest: Date | string | null }>();
    return row?.oldest ? this.sql.fromTimestamp(row.oldest) : null;
  }

  /** Deletes up to `limit` mails delivered or given up on before `before`; returns how many. */
  async pruneDelivered(before: Date, limit: number): Promise<number> {
    const sent = await deleteBatch(
      this.db,
      this.sql,
      MailQueueEntity,
      { where: 'victim.sent_at < :before', params: { before }, orderBy: 'victim.sent_at' },
      limit,
    );
    if (sent >= limit) return sent;
    const failed = await deleteBatch(
      this.db,
      this.sql,
      MailQueueEntity,
      { where: 'victim.failed_at < :before', params: { before }, orderBy: 'victim.failed_at' },
      limit - sent,
    );
    return sent + failed;
  }

  /** Changes a mail still waiting; a mail another courier has meanwhile sent or given up on stays so. */
  private async updatePending(id: number, values: Partial<MailQueueRow>): Promise<void> {
    await this.db
      .createQueryBuilder()
      .update(MailQueueEntity)
      .set(values)
      .where({ id })
      .andWhere('sent_at IS NULL AND failed_at IS NULL')
      .execute();
  }
}
