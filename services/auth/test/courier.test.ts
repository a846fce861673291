import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { simpleParser } from 'mailparser';
import { pino } from 'pino';
import { In, type DataSource } from 'typeorm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from '@platform/common';
import { authDataSource } from '../src/data/data-source.js';
import { MailQueueEntity } from '../src/data/entities.js';
import { Store } from '../src/data/store.js';
import { Courier, type CourierOptions } from '../src/mail/courier.js';
import { createMailTransport } from '../src/mail/create-transport.js';
import type { MailLocale } from '../src/mail/mail.js';
import { registerMailMetrics } from '../src/mail/mail-metrics.js';
import { renderMail } from '../src/mail/render.js';
import { createDatabase } from '../../../test/support/infra.js';
import { metricValue, promtoolProblems, requireBinary } from '../../../test/support/metrics.js';
import {
  startSmtpServer,
  type ReceivedMail,
  type SmtpTestServer,
} from '../../../test/support/smtp.js';
import { STACK_MODE } from '../../../test/support/stack.js';

// The courier against a real SMTP server (STARTTLS and AUTH, so nodemailer's TLS and login path
// runs) and the real database of each mode: SQLite in embedded, a fresh Postgres database in infra.
const FROM = 'Auth service <no-reply@example.com>';
let workDir: string;
let dropDatabase: () => Promise<void> = async () => undefined;
let dataSource: DataSource;
let store: Store;
let smtp: SmtpTestServer;
const logLines: string[] = [];
const logger = pino(
  { level: 'debug' },
  new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  }),
);

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'auth-courier-'));
  let url = `sqlite:${path.join(workDir, 'auth.db')}`;
  if (STACK_MODE === 'infra') {
    const database = await createDatabase('auth_courier');
    url = database.url;
    dropDatabase = database.drop;
  }
  dataSource = authDataSource(url);
  await dataSource.initialize();
  await dataSource.runMigrations();
  store = new Store(dataSource);
  smtp = await startSmtpServer();
});
afterAll(async () => {
  await smtp?.close();
  await dataSource?.destroy();
  await dropDatabase();
  await rm(workDir, { recursive: true, force: true });
});

/** What was queued, to look for in the server's messages and (never) in the log. */
interface Queued {
  to: string;
  link: string;
  subject: string;
}
const queued: Queued[] = [];

/** Queues `count` password-reset mails to `<tag>-<i>@example.com`, each with its own token. */
async function queue(tag: string, count: number, locale: MailLocale = 'en'): Promise<Queued[]> {
  const mails: Queued[] = [];
  for (let i = 0; i < count; i++) {
    const to = `${tag}-${i}@example.com`;
    const link = `https://app.example.com/reset-password?token=${randomBytes(32).toString('base64url')}`;
    const rendered = renderMail('password_reset', locale, {
      login: `${tag}_${i}`,
      link,
      expiresInMinutes: 30,
    });
    await store.repos.mail.enqueue({ template: 'password_reset', to, rendered });
    mails.push({ to, link, subject: rendered.subject });
  }
  queued.push(...mails);
  return mails;
}

const rows = (mails: Queued[]) =>
  dataSource.manager.find(MailQueueEntity, {
    where: { to_address: In(mails.map((m) => m.to)) },
    order: { id: 'ASC' },
  });
const receivedFor = (mails: Queued[], from = smtp) =>
  from.messages().filter((m) => mails.some((q) => m.to.includes(q.to)));
/** A waitUntil predicate: every one of `mails` has arrived. */
const allReceived = (mails: Queued[]) => (messages: ReceivedMail[]) =>
  mails.every((q) => messages.some((m) => m.to.includes(q.to)));

interface CourierSetup extends Partial<CourierOptions> {
  /** The server to deliver to (default: the shared one), or `null` for `.eml` files in `mailDir`. */
  server?: SmtpTestServer | null;
  /** Overrides the server's URL (wrong credentials). */
  url?: string;
  mailDir?: string;
}

/** A courier with a transport of its own, as the service builds it from its settings. */
function courier({ server = smtp, url, mailDir, ...opts }: CourierSetup = {}) {
  const settings = {
    smtpUrl: server ? (url ?? server.url) : undefined,
    smtpCaFile: server?.caFile,
    from: FROM,
    mailDir: mailDir ?? path.join(workDir, 'mail'),
    courierInProcess: true,
    pollMs: 50,
    maxAttempts: 5,
  };
  return new Courier({
    store,
    transport: createMailTransport(settings, logger),
    from: FROM,
    logger,
    pollMs: 50,
    maxAttempts: 5,
    ...opts,
  });
}

// Whatever a test did, the log never held a mail's link (its token), subject or body.
afterEach(() => {
  const leaks = logLines.filter((line) =>
    queued.some(
      (q) =>
        line.includes(q.link.split('token=')[1]!) ||
        line.includes(q.subject) ||
        /Hello, /.test(line),
    ),
  );
  expect(leaks).toEqual([]);
});
// Each test starts from an empty queue, whatever the one before left.
afterEach(async () => {
  await dataSource.manager.clear(MailQueueEntity);
});

describe(`the courier (${STACK_MODE === 'infra' ? 'Postgres' : 'SQLite'})`, () => {
  it('When mails are queued, then each is delivered once over STARTTLS as the SMTP user, with a Message-ID from its queue id, and its body is deleted', async () => {
    const mails = [...(await queue('deliver', 3)), ...(await queue('deliver-ru', 2, 'ru'))];
    const sender = courier();
    await sender.flush();
    await sender.stop();

    const stored = await rows(mails);
    const received = receivedFor(mails);
    expect(received).toHaveLength(5);
    for (const [i, mail] of mails.entries()) {
      const message = received.find((m) => m.to.includes(mail.to))!;
      expect(message).toMatchObject({
        secure: true,
        user: 'courier',
        fromHeader: '"Auth service" <no-reply@example.com>',
      });
      expect(message.from).toBe('no-reply@example.com');
      expect(message.subject).toBe(mail.subject);
      expect(message.text.split('\n')).toContain(mail.link);
      expect(message.html).toContain(`href="${mail.link}"`);
      expect(message.messageId).toMatch(
        new RegExp(`^<mail\\.${stored[i]!.id}\\.[0-9a-z]+@example\\.com>$`),
      );
      expect(stored[i]).toMatchObject({
        attempts: 1,
        text_body: null,
        html_body: null,
        lease_until: null,
        failed_at: null,
      });
      expect(stored[i]!.sent_at).toBeInstanceOf(Date);
    }
    expect(received.filter((m) => m.subject === 'Восстановление пароля')).toHaveLength(2);
    expect(
      logLines.some((l) => /"outcome":"sent"/.test(l) && /"template":"password_reset"/.test(l)),
    ).toBe(true);
  });

  it('When the server refuses a recipient with 550, then that mail is given up at once and not retried, and the others go out', async () => {
    const [refused, fine] = await queue('refused', 2);
    smtp.refuse(refused!.to, 550);
    try {
      const sender = courier();
      await sender.flush();
      await sender.flush();
      await sender.stop();
    } finally {
      smtp.refuse(refused!.to, undefined);
    }
    const [failed, sent] = await rows([refused!, fine!]);
    expect(failed).toMatchObject({ attempts: 1, text_body: null, html_body: null, sent_at: null });
    expect(failed!.failed_at).toBeInstanceOf(Date);
    expect(failed!.last_error).toMatch(/550/);
    expect(sent!.sent_at).toBeInstanceOf(Date);
    expect(receivedFor([refused!])).toEqual([]);
    expect(receivedFor([fine!])).toHaveLength(1);
  });

  it('When the server refuses a recipient for now (451), then the mail is retried after a backoff and given up after the last attempt', async () => {
    const [busy] = await queue('busy', 1);
    smtp.refuse(busy!.to, 451);
    try {
      const sender = courier({ maxAttempts: 2 });
      const before = Date.now();
      await sender.flush();
      let [row] = await rows([busy!]);
      expect(row).toMatchObject({ attempts: 1, failed_at: null, sent_at: null, lease_until: null });
      expect(row!.text_body).not.toBeNull();
      expect(row!.last_error).toMatch(/451/);
      const wait = row!.next_attempt_at.getTime() - before;
      expect(wait).toBeGreaterThanOrEqual(4_000 - 50);
      expect(wait).toBeLessThanOrEqual(5_000 + 1_000);

      // Not due yet: another pass leaves it alone. Then its time comes.
      await sender.flush();
      expect((await rows([busy!]))[0]!.attempts).toBe(1);
      await dataSource.manager.update(
        MailQueueEntity,
        { id: row!.id },
        { next_attempt_at: new Date(Date.now() - 1000) },
      );
      await sender.flush();
      await sender.stop();
      [row] = await rows([busy!]);
      expect(row).toMatchObject({ attempts: 2, text_body: null, html_body: null, sent_at: null });
      expect(row!.failed_at).toBeInstanceOf(Date);
      expect(row!.last_error).toMatch(/^gave up after 2 attempts: .*451/);
    } finally {
      smtp.refuse(busy!.to, undefined);
    }
    expect(receivedFor([busy!])).toEqual([]);
  });

  it('When the SMTP server is down for a while, then the mails wait without spending attempts and are delivered once each when it returns', async () => {
    const [first] = await queue('before-outage', 1);
    const sender = courier();
    sender.start();
    expect((await smtp.waitFor((m) => m.to.includes(first!.to))).secure).toBe(true);

    await smtp.stop();
    const mails = await queue('outage', 10);
    sender.wake();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(receivedFor(mails)).toEqual([]);
    const waiting = await rows(mails);
    expect(waiting.map((r) => [r.attempts, r.sent_at, r.failed_at, r.lease_until])).toEqual(
      mails.map(() => [0, null, null, null]),
    );
    expect(waiting[0]!.last_error).toMatch(/ECONNREFUSED|ECONNECTION|ESOCKET/);
    expect(logLines.some((l) => /mail server unavailable/.test(l))).toBe(true);

    await smtp.start();
    await smtp.waitUntil(allReceived(mails), 40_000);
    await sender.flush();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await sender.stop();

    const received = receivedFor(mails);
    const stored = await rows(mails);
    expect(received).toHaveLength(10);
    expect(new Set(received.map((m) => m.messageId)).size).toBe(10);
    expect(stored.every((r) => r.sent_at !== null && r.attempts === 1)).toBe(true);
    for (const row of stored) {
      expect(received.filter((m) => m.messageId.startsWith(`<mail.${row.id}.`))).toHaveLength(1);
    }
  });

  it('When the SMTP login is refused, then the mails are kept for a courier that can log in', async () => {
    const mails = await queue('bad-login', 2);
    const wrong = courier({ url: smtp.url.replace(':courier-secret@', ':wrong@') });
    await expect(wrong.flush()).rejects.toThrow(/mail server unavailable: .*535/);
    await wrong.stop();
    const kept = await rows(mails);
    expect(kept.map((r) => [r.attempts, r.failed_at, r.text_body !== null])).toEqual([
      [0, null, true],
      [0, null, true],
    ]);
    const right = courier();
    await right.flush();
    await right.stop();
    expect(receivedFor(mails)).toHaveLength(2);
  });

  it('When SMTP_URL is smtps://, then the mail goes over TLS from the first byte', async () => {
    const implicit = await startSmtpServer({ tls: 'implicit' });
    try {
      const mails = await queue('smtps', 1);
      const sender = courier({ server: implicit });
      await sender.flush();
      await sender.stop();
      expect(implicit.url).toMatch(/^smtps:/);
      expect(receivedFor(mails, implicit)).toMatchObject([{ secure: true, user: 'courier' }]);
    } finally {
      await implicit.close();
    }
  });

  it('When the courier is stopped mid-batch, then it finishes the mail in flight and hands the rest back at once', async () => {
    const slow = await startSmtpServer({ acceptDelayMs: 300 });
    try {
      const mails = await queue('stopping', 5);
      const sender = courier({ server: slow });
      sender.start();
      await slow.waitUntil(allReceived(mails.slice(0, 1)));
      await sender.stop();
      const stored = await rows(mails);
      const sent = stored.filter((r) => r.sent_at !== null);
      expect(sent.length).toBeGreaterThanOrEqual(1);
      expect(sent.length).toBeLessThan(5);
      expect(receivedFor(mails, slow)).toHaveLength(sent.length);
      const rest = stored.filter((r) => r.sent_at === null);
      expect(rest.map((r) => [r.attempts, r.lease_until])).toEqual(rest.map(() => [0, null]));
      // Whoever comes next delivers them.
      const next = courier();
      await next.flush();
      await next.stop();
      expect(
        receivedFor(rest.map((r) => ({ to: r.to_address, link: '', subject: '' }))),
      ).toHaveLength(rest.length);
    } finally {
      await slow.close();
    }
  });

  it('When no SMTP_URL is set, then each mail is written as an .eml file and the log names the file', async () => {
    const mailDir = path.join(workDir, 'eml');
    const [mail] = await queue('file', 1);
    const sender = courier({ server: null, mailDir });
    await sender.flush();
    await sender.stop();
    const [row] = await rows([mail!]);
    const files = await readdir(mailDir);
    expect(files).toEqual([
      expect.stringMatching(
        new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d-]+Z-${row!.id}-password_reset\\.eml$`),
      ),
    ]);
    const parsed = await simpleParser(await readFile(path.join(mailDir, files[0]!)));
    expect(parsed.subject).toBe(mail!.subject);
    expect(parsed.text?.split('\n')).toContain(mail!.link);
    expect(parsed.messageId).toMatch(new RegExp(`^<mail\\.${row!.id}\\.`));
    expect(row).toMatchObject({ text_body: null, html_body: null });
    expect(logLines.some((l) => l.includes(`mail written to `) && l.includes(files[0]!))).toBe(
      true,
    );
  });

  it('When mails are delivered, refused and waiting, then the metrics count them by template and outcome and show the queue, and pass promtool', async () => {
    const registry = new Registry();
    const metrics = registerMailMetrics(registry, store, logger);
    const before = await registry.metrics();
    const labels = (outcome: string) => ({ template: 'password_reset', outcome });
    expect(metricValue(before, 'auth_mails_total', labels('sent'))).toBe(0);
    expect(
      metricValue(before, 'auth_mails_total', { template: 'verify_email', outcome: 'failed' }),
    ).toBe(0);
    expect(metricValue(before, 'auth_mail_queue_pending')).toBe(0);
    expect(metricValue(before, 'auth_mail_queue_oldest_age_seconds')).toBe(0);

    const [refused, ...fine] = await queue('metrics', 3);
    smtp.refuse(refused!.to, 550);
    try {
      const sender = courier({ metrics });
      await sender.flush();
      await sender.stop();
    } finally {
      smtp.refuse(refused!.to, undefined);
    }
    await queue('metrics-waiting', 2);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const after = await registry.metrics();
    expect(metricValue(after, 'auth_mails_total', labels('sent'))).toBe(fine.length);
    expect(metricValue(after, 'auth_mails_total', labels('failed'))).toBe(1);
    expect(metricValue(after, 'auth_mails_total', labels('retried'))).toBe(0);
    expect(metricValue(after, 'auth_mail_queue_pending')).toBe(2);
    expect(metricValue(after, 'auth_mail_queue_oldest_age_seconds')).toBeGreaterThan(0);
    if (requireBinary('promtool')) expect(await promtoolProblems(after)).toEqual([]);

    const sender = courier({ metrics });
    await sender.flush();
    await sender.stop();
    const drained = await registry.metrics();
    expect(metricValue(drained, 'auth_mail_queue_pending')).toBe(0);
    expect(metricValue(drained, 'auth_mails_total', labels('sent'))).toBe(fine.length + 2);
  });

  // Only Postgres lets two couriers claim at once (SQLite's transactions take turns): defined there only.
  if (STACK_MODE === 'infra')
    it('When two couriers run at once on Postgres, then each mail is delivered exactly once and both take part', async () => {
      const paced = await startSmtpServer({ acceptDelayMs: 5 });
      try {
        const mails = await queue('pair', 60);
        const registries = [new Registry(), new Registry()];
        const pair = registries.map((registry) =>
          courier({
            server: paced,
            batchSize: 5,
            metrics: registerMailMetrics(registry, store, logger),
          }),
        );
        for (const c of pair) c.start();
        await paced.waitUntil(allReceived(mails), 30_000);
        await Promise.all(pair.map((c) => c.flush()));
        await new Promise((resolve) => setTimeout(resolve, 300));
        await Promise.all(pair.map((c) => c.stop()));

        const received = receivedFor(mails, paced);
        expect(received).toHaveLength(60);
        expect(new Set(received.map((m) => m.messageId)).size).toBe(60);
        const sentBy = await Promise.all(
          registries.map(async (r) =>
            metricValue(await r.metrics(), 'auth_mails_total', { outcome: 'sent' }),
          ),
        );
        expect(sentBy[0]! + sentBy[1]!).toBe(60);
        expect(Math.min(sentBy[0]!, sentBy[1]!)).toBeGreaterThan(0);
      } finally {
        await paced.close();
      }
    });
});
