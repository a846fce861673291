import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishRaw, startFaultStack, waitFor, type FaultStack } from './fault-stack.js';

let stack: FaultStack;

beforeAll(async () => {
  stack = await startFaultStack({ withAuth: false, env: { AMQP_PREFETCH: '5' } });
});
afterAll(async () => {
  await stack?.stop();
});

const profiles = async () => {
  const { rows } = await stack.userDb.query(
    'SELECT count(*)::int AS n, count(DISTINCT auth_id)::int AS d FROM user_profiles',
  );
  return rows[0] as { n: number; d: number };
};

describe('the user service killed while consuming', () => {
  it('When it is killed with SIGKILL during 500 events and started again, then every profile exists exactly once', async () => {
    const events = Array.from({ length: 500 }, (_, i) => ({
      body: JSON.stringify({
        event_type: 'Register',
        auth_id: 10_000 + i,
        display_name: 'Crash Survivor',
      }),
      messageId: randomUUID(),
      type: 'Register',
    }));
    await publishRaw(stack.queue, events);
    await waitFor('consumption to start', async () => (await profiles()).n >= 50, 30_000);
    expect(await stack.user.kill('SIGKILL')).toBe('SIGKILL');
    const atKill = await profiles();
    // The kill must land mid-stream for the test to mean anything.
    expect(atKill.n).toBeLessThan(500);

    await stack.user.restart();
    const recoveryMs = await waitFor(
      'all 500 profiles',
      async () => (await profiles()).n === 500,
      60_000,
    );
    const after = await profiles();
    expect(after).toEqual({ n: 500, d: 500 });
    console.info(
      `consumer crash: ${atKill.n}/500 profiles at SIGKILL, 500/500 ${recoveryMs} ms after restart`,
    );
  });
});
