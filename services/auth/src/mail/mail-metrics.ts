import { Counter, registerScrapedGauges, type Logger, type Registry } from '@platform/common';
import type { Store } from '../data/store.js';
import type { MailTemplateParams } from './mail.js';

export const MAIL_OUTCOMES = ['sent', 'retried', 'failed'] as const;
/** sent: delivered; retried: to be tried again (the server unreachable included); failed: given up. */
export type MailOutcome = (typeof MAIL_OUTCOMES)[number];

/** What the courier counts. */
export interface MailMetrics {
  delivery(template: string, outcome: MailOutcome): void;
}

export const noMailMetrics: MailMetrics = { delivery: () => undefined };

/** Every template, so each series exists from the first scrape (a key the compiler checks). */
const TEMPLATES: Record<keyof MailTemplateParams, true> = {
  verify_email: true,
  email_change: true,
  email_change_requested: true,
  email_changed: true,
  email_in_use: true,
  password_reset: true,
  password_reset_done: true,
  password_changed: true,
  new_sign_in: true,
  totp_enrolled: true,
  totp_removed: true,
  recovery_code_used: true,
  recovery_codes_regenerated: true,
  passkey_added: true,
  passkey_removed: true,
};

/** How long a scrape waits for the queue's gauges before it answers without them. */
const GAUGE_READ_TIMEOUT_MS = 2000;

/**
 * The mail metrics on `registry`: deliveries by template and outcome, counted by the courier of
 * this process, and the queue's depth and oldest age, read from the database at scrape time (so
 * every replica reports the same queue).
 */
export function registerMailMetrics(registry: Registry, store: Store, logger: Logger): MailMetrics {
  const mails = new Counter({
    name: 'auth_mails_total',
    help: 'Mail deliveries tried by this process, by template and outcome (sent, retried, failed).',
    labelNames: ['template', 'outcome'] as const,
    registers: [registry],
  });
  for (const template of Object.keys(TEMPLATES))
    for (const outcome of MAIL_OUTCOMES) mails.inc({ template, outcome }, 0);
  const { mail } = store.repos;
  registerScrapedGauges(
    registry,
    {
      name: 'mail_queue',
      gauges: {
        pending: {
          name: 'auth_mail_queue_pending',
          help: 'Mails queued and neither delivered nor given up on (read from the database at scrape time).',
        },
        oldestAge: {
          name: 'auth_mail_queue_oldest_age_seconds',
          help: 'Age of the oldest mail still waiting for delivery; 0 when none waits (read at scrape time).',
        },
      },
      read: async () => {
        const [pending, oldest] = await Promise.all([
          mail.pendingCount(),
          mail.oldestPendingCreatedAt(),
        ]);
        const oldestAge = oldest ? Math.max(0, (Date.now() - oldest.getTime()) / 1000) : 0;
        return { pending, oldestAge };
      },
    },
    { timeoutMs: GAUGE_READ_TIMEOUT_MS, logger },
  );
  return { delivery: (template, outcome) => mails.inc({ template, outcome }) };
}
