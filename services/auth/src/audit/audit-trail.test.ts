import { Writable } from 'node:stream';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authDataSource } from '../data/data-source.js';
import { Store } from '../data/store.js';
import { auditTrail } from './audit-trail.js';

let dataSource: DataSource;
let store: Store;
const lines: Record<string, unknown>[] = [];
const logger = pino(
  { level: 'info' },
  new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  }),
);

beforeAll(async () => {
  dataSource = authDataSource('sqlite::memory:');
  await dataSource.initialize();
  await dataSource.runMigrations();
  store = new Store(dataSource);
});
afterAll(async () => {
  await dataSource.destroy();
});

describe('auditTrail', () => {
  it('When a decision is recorded, then it is in the table and in the log with the same fields', async () => {
    await auditTrail(store.repos.audit, logger).record({
      action: 'role_granted',
      outcome: 'success',
      reason: 'support',
      userId: 7,
      actorId: 1,
      ip: '10.0.0.9',
      requestId: 'req-1',
      details: { sessions_ended: 2 },
    });
    const rows = (await dataSource.query('SELECT * FROM audit_log')) as Record<string, unknown>[];
    expect(rows).toEqual([
      expect.objectContaining({
        action: 'role_granted',
        outcome: 'success',
        reason: 'support',
        user_id: 7,
        actor_id: 1,
        ip: '10.0.0.9',
        request_id: 'req-1',
        details: '{"sessions_ended":2}',
      }),
    ]);
    expect(lines.at(-1)).toMatchObject({
      audit: true,
      action: 'role_granted',
      outcome: 'success',
      userId: 7,
      actorId: 1,
      ip: '10.0.0.9',
      requestId: 'req-1',
      sessions_ended: 2,
      msg: 'audit: role_granted success',
    });
  });

  it('When the transaction that made the change rolls back, then its audit record goes with it', async () => {
    const before = (
      (await dataSource.query('SELECT COUNT(*) AS n FROM audit_log')) as { n: number }[]
    )[0]!.n;
    await expect(
      store.transaction(async (repos) => {
        await auditTrail(store.repos.audit, logger).record(
          { action: 'logout', outcome: 'success' },
          repos.audit,
        );
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    const after = (
      (await dataSource.query('SELECT COUNT(*) AS n FROM audit_log')) as { n: number }[]
    )[0]!.n;
    expect(after).toBe(before);
  });
});
