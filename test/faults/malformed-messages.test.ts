import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deadLetters,
  publishRaw,
  startFaultStack,
  waitFor,
  type FaultStack,
} from './fault-stack.js';

let stack: FaultStack;

beforeAll(async () => {
  stack = await startFaultStack({ withAuth: false });
});
afterAll(async () => {
  await stack?.stop();
});

const register = (authId: number) => ({
  body: JSON.stringify({ event_type: 'Register', auth_id: authId, display_name: 'Good Message' }),
  messageId: randomUUID(),
  type: 'Register',
});

/** Bad messages of every kind a broken or hostile producer could send, in turn. */
function malformed(i: number) {
  const kinds = [
    {
      body: `{"event_type": "Register", "auth_id": ${i}`,
      type: 'Register',
      expect: /not valid JSON/,
    },
    {
      body: JSON.stringify({ event_type: 'Register', auth_id: `id-${i}`, display_name: 'X Y' }),
      type: 'Register',
      expect: /auth_id must be integer/,
    },
    {
      body: JSON.stringify({ event_type: 'Password Reset', auth_id: i }),
      type: 'Password Reset',
      expect: /unknown event_type/,
    },
    {
      body: JSON.stringify({
        event_type: 'Register',
        auth_id: i,
        display_name: 'x'.repeat(70_000),
      }),
      type: 'Register',
      expect: /exceeds/,
    },
    {
      body: JSON.stringify({ event_type: 'Account Deactivate', auth_id: i, is_active: true }),
      type: 'Account Deactivate',
      expect: /is_active/,
    },
    {
      // A valid event under an id that is not a UUID: refused at once, not retried as a failure.
      body: JSON.stringify({ event_type: 'Register', auth_id: i, display_name: 'Long Id' }),
      type: 'Register',
      messageId: `${'x'.repeat(40)}-${i}`,
      expect: /message_id is not a UUID/,
    },
  ];
  const kind = kinds[i % kinds.length]!;
  return { messageId: randomUUID(), ...kind };
}

describe('malformed messages on the queue', () => {
  it('When 50 malformed messages sit among good ones, then all 50 are dead-lettered with a reason and the good ones are consumed', async () => {
    const bad = Array.from({ length: 50 }, (_, i) => malformed(1_000_000 + i));
    const good = Array.from({ length: 50 }, (_, i) => register(2_000_000 + i));
    const interleaved = bad.flatMap((b, i) => [good[i]!, b]);
    await publishRaw(stack.queue, interleaved);

    await waitFor('50 good profiles', async () => {
      const { rows } = await stack.userDb.query(
        "SELECT count(*)::int AS n FROM user_profiles WHERE display_name = 'Good Message'",
      );
      return rows[0].n === 50;
    });
    await waitFor('50 dead letters', async () => (await deadLetters(stack.queue)).length === 50);

    const letters = new Map((await deadLetters(stack.queue)).map((d) => [d.id, d.reason]));
    for (const message of bad) {
      expect(letters.get(message.messageId), `reason for ${message.body.slice(0, 60)}`).toMatch(
        message.expect,
      );
    }
    const { rows } = await stack.userDb.query(
      'SELECT count(*)::int AS n, count(DISTINCT auth_id)::int AS d FROM user_profiles',
    );
    expect(rows[0]).toEqual({ n: 50, d: 50 });
  });
});
