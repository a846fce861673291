import type { SqlDialect } from '@platform/common';
import type { EntityManager } from 'typeorm';
import { MailQueueEntity } from '../data/entities.js';
import type { QueuedMail } from './mail.js';

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
}
