import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { IsNull, Not, type DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authDataSource } from '../../services/auth/src/data/data-source.js';
import { MailQueueEntity } from '../../services/auth/src/data/entities.js';
import { Store } from '../../services/auth/src/data/store.js';
import { renderMail } from '../../services/auth/src/mail/render.js';
import { createDatabase } from '../support/infra.js';
import { metricValue, promtoolProblems, requireBinary } from '../support/metrics.js';
import { freePort, stopChild, waitUntilHealthy } from '../support/shared/processes.mjs';
import { startSmtpServer, type SmtpTestServer } from '../support/smtp.js';

// The courier as its Deployment runs it (`node services/auth/dist/cli/courier.js`, Postgres, SMTP
// with STARTTLS and AUTH), killed with SIGKILL in the middle of a batch and started again.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAILS = 200;
let database: Awaited<ReturnType<typeof createDatabase>>;
let dataSource: DataSource;
let smtp: SmtpTestServer;
const links: string[] = [];

beforeAll(async () => {
  database = await createDatabase('courier_crash');
  dataSource = authDataSource(database.url, { poolSize: 2 });
  await dataSource.initialize();
  await dataSource.runMigrations();
  // Each message is held a little, so the courier is mid-batch for a while.
  smtp = await startSmtpServer({ acceptDelayMs: 10 });
});
afterAll(async () => {
  await smtp?.close();
  await dataSource?.destroy();
  await database?.drop();
});

/** One courier process; `log()` is what it wrote. */
async function startCourier(port: number) {
  let log = '';
  const child: ChildProcess = spawn(
    process.execPath,
    [path.join(ROOT, 'services/auth/dist/cli/courier.js')],
    {
      cwd: tmpdir(),
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'production',
        LOG_LEVEL: 'info',
        HOST: '127.0.0.1',
        COURIER_PORT: String(port),
        DATABASE_URL: database.url,
        SMTP_URL: smtp.url,
        SMTP_CA_FILE: smtp.caFile,
        MAIL_FROM: 'Auth service <no-reply@example.com>',
        COURIER_POLL_MS: '50',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const keep = (chunk: Buffer) => (log += chunk.toString());
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const health = await waitUntilHealthy([`http://127.0.0.1:${port}/readyz`], {
    exited: () => child.exitCode !== null || child.signalCode !== null,
    timeoutMs: 30_000,
  });
  if (health.outcome !== 'healthy')
    throw new Error(`the courier did not start (${health.outcome}):\n${log}`);
  return { child, log: () => log };
}

describe('the courier process killed mid-batch', () => {
  it('When it is SIGKILLed while delivering 200 mails and started again, then every mail is delivered, and only the one in flight at the kill can be delivered twice', async () => {
    const store = new Store(dataSource);
    for (let i = 0; i < MAILS; i++) {
      const link = `https://app.example.com/reset-password?token=${randomBytes(32).toString('base64url')}`;
      links.push(link);
      await store.repos.mail.enqueue({
        template: 'password_reset',
        to: `crash-${i}@example.com`,
        rendered: renderMail('password_reset', 'en', {
          login: `crash_${i}`,
          link,
          expiresInMinutes: 30,
        }),
      });
    }
    const port = await freePort();
    const first = await startCourier(port);
    // Not a multiple of the batch size (10), so the kill leaves mails of its batch unsent.
    await smtp.waitUntil((messages) => messages.length >= 55, 60_000);
    expect((await stopChild(first.child, { signal: 'SIGKILL' })).signal).toBe('SIGKILL');
    const deliveredBeforeKill = smtp.messages().length;
    const heldAtKill = await dataSource.manager.count(MailQueueEntity, {
      where: { sent_at: IsNull(), lease_until: Not(IsNull()) },
    });
    expect(deliveredBeforeKill).toBeLessThan(MAILS);

    // The mails the dead courier had claimed wait out its lease; the others go out at once.
    const second = await startCourier(port);
    try {
      // Done when the queue is empty: the mails of the killed courier's batch wait out its lease.
      let exposition = '';
      const deadline = Date.now() + 150_000;
      do {
        await new Promise((resolve) => setTimeout(resolve, 200));
        exposition = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      } while (metricValue(exposition, 'auth_mail_queue_pending') !== 0 && Date.now() < deadline);
      expect(metricValue(exposition, 'auth_mail_queue_pending')).toBe(0);
      expect(
        metricValue(exposition, 'auth_mails_total', {
          template: 'password_reset',
          outcome: 'sent',
        }),
      ).toBeGreaterThanOrEqual(MAILS - deliveredBeforeKill);
      if (requireBinary('promtool')) expect(await promtoolProblems(exposition)).toEqual([]);
    } finally {
      const exit = await stopChild(second.child, { signal: 'SIGTERM', killAfterMs: 15_000 });
      expect(exit.code).toBe(0);
    }

    const messages = smtp.messages();
    const perId = new Map<string, number>();
    for (const m of messages) perId.set(m.messageId, (perId.get(m.messageId) ?? 0) + 1);
    const twice = [...perId.values()].filter((n) => n > 1).length;
    console.info(
      `courier crash: ${deliveredBeforeKill} delivered before the SIGKILL, ${heldAtKill} claimed and unsent at the kill, ` +
        `${messages.length} messages for ${MAILS} mails, ${twice} delivered twice`,
    );
    expect(perId.size).toBe(MAILS);
    expect([...perId.values()].every((n) => n <= 2)).toBe(true);
    // One pooled connection: one mail at most was between the server's acceptance and its record.
    expect(twice).toBeLessThanOrEqual(1);
    expect(messages).toHaveLength(MAILS + twice);
    expect(messages.every((m) => m.secure && m.user === 'courier')).toBe(true);
    const unsent = await dataSource.manager.count(MailQueueEntity, {
      where: { sent_at: IsNull() },
    });
    expect(unsent).toBe(0);
    const withBodies = await dataSource.manager.count(MailQueueEntity, {
      where: { text_body: Not(IsNull()) },
    });
    expect(withBodies).toBe(0);
    const logs = first.log() + second.log();
    expect(logs).toMatch(/"outcome":"sent"/);
    expect(links.filter((link) => logs.includes(link.split('token=')[1]!))).toEqual([]);
  }, 240_000);
});
