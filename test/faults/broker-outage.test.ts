import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContractChecker } from '../support/contract.js';
import { newRegistration } from '../support/factories.js';
import { client } from '../support/http-client.js';
import { pool, startFaultStack, waitFor, type FaultStack } from './fault-stack.js';

const run = promisify(execFile);
const contract = new ContractChecker('auth.yaml');
let stack: FaultStack;

async function rabbitmqctl(...args: string[]) {
  await run('rabbitmqctl', args, { timeout: 60_000 });
}

beforeAll(async () => {
  stack = await startFaultStack();
});
afterAll(async () => {
  // Whatever happened, leave the broker running for everyone else.
  await rabbitmqctl('start_app').catch(() => undefined);
  await stack?.stop();
});

describe('the broker goes away', () => {
  it('When RabbitMQ is stopped while 200 accounts register, then none fails and every profile exists exactly once after it returns', async () => {
    const api = client(stack.auth!.url);
    await rabbitmqctl('stop_app');
    const results = await pool(
      10,
      Array.from(
        { length: 200 },
        () => () => api.post('/register', newRegistration({ display_name: 'Outage Survivor' })),
      ),
    );
    for (const res of results) contract.check('register', res);
    expect(results.filter((r) => r.status !== 201).map((r) => r.status)).toEqual([]);
    const pending = await stack.authDb.query(
      'SELECT count(*)::int AS n FROM outbox WHERE sent_at IS NULL',
    );
    expect(pending.rows[0].n).toBe(200);

    const restarted = Date.now();
    await rabbitmqctl('start_app');
    await rabbitmqctl('await_startup');
    const back = Date.now();
    await waitFor('200 profiles', async () => {
      const { rows } = await stack.userDb.query(
        "SELECT count(*)::int AS n FROM user_profiles WHERE display_name = 'Outage Survivor'",
      );
      return rows[0].n === 200;
    });
    const recoveryMs = Date.now() - restarted;
    // Reconnecting backs off at most a second, so events flow soon after the broker is back.
    expect(Date.now() - back).toBeLessThan(4000);
    const ids = results.map((r) => r.body.user.id as number);
    const { rows } = await stack.userDb.query(
      'SELECT count(*)::int AS n, count(DISTINCT auth_id)::int AS d FROM user_profiles WHERE auth_id = ANY($1)',
      [ids],
    );
    expect(rows[0]).toEqual({ n: 200, d: 200 });
    console.info(
      `broker outage: 200/200 registrations answered 201 while down; all profiles ${recoveryMs} ms after start_app, ${Date.now() - back} ms after the broker was up`,
    );
  });
});
