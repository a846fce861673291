import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deactivatePayload,
  erasedPayload,
  freshAuthId,
  reactivatePayload,
  registerPayload,
} from '../../../test/support/events.js';
import { startStack, type Stack } from '../../../test/support/stack.js';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const profile = async (authId: number) => {
  const { rows } = await stack.userDb.query<Record<string, unknown>>(
    'SELECT auth_id, display_name, bio, is_active FROM user_profiles WHERE auth_id = ?',
    [authId],
  );
  const [row] = rows;
  return row
    ? {
        authId: Number(row.auth_id),
        displayName: row.display_name as string,
        bio: row.bio as string | null,
        isActive: Boolean(row.is_active),
      }
    : null;
};

const count = async (sql: string, param: unknown): Promise<number> => {
  const { rows } = await stack.userDb.query<{ n: number | string }>(sql, [param]);
  return Number(rows[0]!.n);
};
const profileCount = (authId: number) =>
  count('SELECT COUNT(*) AS n FROM user_profiles WHERE auth_id = ?', authId);
const processedCount = (messageId: string) =>
  count('SELECT COUNT(*) AS n FROM processed_messages WHERE message_id = ?', messageId);

const deadLetter = async (messageId: string) =>
  (await stack.deadLetters()).find((d) => d.id === messageId);

/** A logout of one session of the account, whose tokens are valid for another hour. */
const revokedPayload = (authId: number) => ({
  event_type: 'Sessions Revoked',
  auth_id: authId,
  session_ids: [randomUUID()],
  reason: 'logout',
  expires_at: new Date(Date.now() + 3_600_000).toISOString(),
});

/** Publishes as the outbox relay would; returns the message id. */
const publish = (payload: unknown, opts?: { id?: string; type?: string }) =>
  stack.publishRaw(payload, opts);

describe('user-info consumer', () => {
  it('When an Account Reactivate follows a deactivation, then the profile is active again, and a redelivery changes nothing', async () => {
    const authId = freshAuthId();
    await publish(registerPayload(authId));
    await stack.drained();
    await publish(deactivatePayload(authId));
    await stack.drained();
    expect((await profile(authId))!.isActive).toBe(false);
    const id = await publish(reactivatePayload(authId));
    await stack.drained();
    expect((await profile(authId))!.isActive).toBe(true);
    await publish(reactivatePayload(authId), { id });
    await stack.drained();
    expect((await profile(authId))!.isActive).toBe(true);
    expect(await processedCount(id)).toBe(1);
  });

  it('When a deactivation and the reactivation after it both overtake the Register, then the profile is created active', async () => {
    const authId = freshAuthId();
    await publish(deactivatePayload(authId));
    await stack.drained();
    await publish(reactivatePayload(authId));
    await stack.drained();
    expect(await profile(authId)).toBeNull();
    await publish(registerPayload(authId));
    await stack.drained();
    expect((await profile(authId))!.isActive).toBe(true);
  });

  it('When an Account Reactivate overtakes the deactivation it undoes, then that deactivation changes nothing when it arrives', async () => {
    const authId = freshAuthId();
    await publish(registerPayload(authId));
    await stack.drained();
    const deactivationId = randomUUID();
    await publish(reactivatePayload(authId, deactivationId));
    await stack.drained();
    await publish(deactivatePayload(authId), { id: deactivationId });
    await stack.drained();
    expect((await profile(authId))!.isActive).toBe(true);
    expect(await processedCount(deactivationId)).toBe(1);
    // A later deactivation, with an id of its own, still deactivates.
    await publish(deactivatePayload(authId));
    await stack.drained();
    expect((await profile(authId))!.isActive).toBe(false);
  });

  it('When an Account Reactivate says the account is inactive, then it is dead-lettered and changes nothing', async () => {
    const authId = freshAuthId();
    await publish(registerPayload(authId));
    await stack.drained();
    await publish(deactivatePayload(authId));
    await stack.drained();
    const id = await publish({ ...reactivatePayload(authId), is_active: false });
    await stack.drained();
    expect(await deadLetter(id)).toBeDefined();
    expect((await profile(authId))!.isActive).toBe(false);
  });

  it('When a Register event arrives, then the profile is created', async () => {
    const authId = freshAuthId();
    const id = await publish(registerPayload(authId, 'John Doe'));
    await stack.drained();
    expect(await profile(authId)).toMatchObject({
      authId,
      displayName: 'John Doe',
      bio: null,
      isActive: true,
    });
    expect(await processedCount(id)).toBe(1);
  });

  it('When the same message is delivered twice, then it is applied once', async () => {
    const authId = freshAuthId();
    const id = await publish(registerPayload(authId));
    await publish(registerPayload(authId), { id });
    await stack.drained();
    expect(await profileCount(authId)).toBe(1);
    expect(await processedCount(id)).toBe(1);
    expect(await deadLetter(id)).toBeUndefined();
  });

  it('When a message id is reused, then the second message is ignored', async () => {
    const first = freshAuthId();
    const second = freshAuthId();
    const id = await publish(registerPayload(first));
    await stack.drained();
    await publish(registerPayload(second), { id });
    await stack.drained();
    expect(await profile(first)).not.toBeNull();
    expect(await profile(second)).toBeNull();
  });

  it('When two Register messages name the same auth_id, then one profile exists', async () => {
    const authId = freshAuthId();
    const a = await publish(registerPayload(authId, 'First Name'));
    await stack.drained();
    const b = await publish(registerPayload(authId, 'Second Name'));
    await stack.drained();
    expect(await profileCount(authId)).toBe(1);
    expect((await profile(authId))?.displayName).toBe('First Name');
    expect([await processedCount(a), await processedCount(b)]).toEqual([1, 1]);
  });

  it('When the events of the same accounts arrive together, then each applies as if alone', async () => {
    // Several messages are handled at once on RabbitMQ: those of one account must not race.
    const authIds = Array.from({ length: 20 }, () => freshAuthId());
    const ids: string[] = [];
    for (const authId of authIds) {
      ids.push(await publish(registerPayload(authId, 'First Name')));
      ids.push(await publish(registerPayload(authId, 'Second Name')));
      ids.push(await publish(deactivatePayload(authId)));
    }
    await stack.drained();
    const marks = authIds.map(() => '?').join(', ');
    const { rows } = await stack.userDb.query<Record<string, unknown>>(
      `SELECT auth_id, is_active FROM user_profiles WHERE auth_id IN (${marks})`,
      authIds,
    );
    expect(rows.map((r) => [Number(r.auth_id), Boolean(r.is_active)]).sort()).toEqual(
      authIds.map((authId) => [authId, false]).sort(),
    );
    expect(await Promise.all(ids.map(processedCount))).toEqual(ids.map(() => 1));
  });

  it('When an Account Deactivate arrives, then the profile becomes inactive', async () => {
    const authId = freshAuthId();
    await publish(registerPayload(authId));
    const id = await publish(deactivatePayload(authId));
    const again = await publish(deactivatePayload(authId));
    await stack.drained();
    expect((await profile(authId))?.isActive).toBe(false);
    expect([await deadLetter(id), await deadLetter(again)]).toEqual([undefined, undefined]);
  });

  it.each([
    ['auth_id as a string', { ...registerPayload(1), auth_id: '7' }, /\/auth_id must be integer/],
    ['auth_id zero', { ...registerPayload(1), auth_id: 0 }, /\/auth_id must be >= 1/],
    ['a fractional auth_id', { ...registerPayload(1), auth_id: 1.5 }, /\/auth_id must be integer/],
    ['display_name a number', { ...registerPayload(1), display_name: 5 }, /display_name/],
    ['an unknown event_type', { ...registerPayload(1), event_type: 'Login' }, /unknown event_type/],
    ['no event_type', { auth_id: 1, display_name: 'John Doe' }, /unknown event_type null/],
    ['no display_name', { event_type: 'Register', auth_id: 1 }, /display_name/],
    ['no auth_id', { event_type: 'Account Deactivate', is_active: false }, /auth_id/],
    ['an extra field', { ...registerPayload(1), role: 'admin' }, /additional properties "role"/],
    ['a display_name over 30', registerPayload(1, 'J'.repeat(31)), /display_name.*30/],
    ['an empty display_name', registerPayload(1, ''), /display_name/],
    ['is_active true', { ...deactivatePayload(1), is_active: true }, /is_active/],
    ['null instead of an object', null, /unknown event_type/],
  ])('When a payload has %s, then it is dead-lettered at once', async (_name, payload, reason) => {
    const before = freshAuthId();
    const after = freshAuthId();
    await publish(registerPayload(before));
    const bad = await publish(payload);
    await publish(registerPayload(after));
    await stack.drained();
    expect((await deadLetter(bad))?.reason).toMatch(reason);
    expect(await processedCount(bad)).toBe(0);
    expect(await profile(before)).not.toBeNull();
    expect(await profile(after)).not.toBeNull();
  });

  it('When the message type differs from event_type, then it is dead-lettered', async () => {
    const authId = freshAuthId();
    const id = await publish(registerPayload(authId), { type: 'Account Deactivate' });
    await stack.drained();
    expect((await deadLetter(id))?.reason).toMatch(/does not match event_type "Register"/);
    expect(await profile(authId)).toBeNull();
  });

  it('When Account Deactivate overtakes its Register, then the profile is created inactive', async () => {
    const authId = freshAuthId();
    const id = await publish(deactivatePayload(authId));
    await stack.drained();
    await publish(registerPayload(authId));
    await stack.drained();
    expect(await deadLetter(id)).toBeUndefined();
    expect(await processedCount(id)).toBe(1);
    expect((await profile(authId))?.isActive).toBe(false);
  });

  it('When Account Deactivate is redelivered before its Register, then it is remembered once', async () => {
    const authId = freshAuthId();
    const payload = deactivatePayload(authId);
    const id = await publish(payload);
    await publish(payload, { id });
    await stack.drained();
    await publish(registerPayload(authId));
    await stack.drained();
    expect(await processedCount(id)).toBe(1);
    expect((await profile(authId))?.isActive).toBe(false);
  });

  it('When Account Erased arrives, then the profile and what else names the account are deleted, once', async () => {
    const authId = freshAuthId();
    await publish(registerPayload(authId));
    await publish(revokedPayload(authId));
    await stack.drained();
    expect(await profile(authId)).not.toBeNull();
    const id = await publish(erasedPayload(authId));
    await publish(erasedPayload(authId), { id });
    await publish(erasedPayload(authId));
    await stack.drained();
    expect(await profile(authId)).toBeNull();
    expect(
      await count('SELECT COUNT(*) AS n FROM revoked_sessions WHERE auth_id = ?', authId),
    ).toBe(0);
    expect(await count('SELECT COUNT(*) AS n FROM erased_accounts WHERE auth_id = ?', authId)).toBe(
      1,
    );
    expect(await deadLetter(id)).toBeUndefined();
  });

  it('When a Register arrives after Account Erased, late or again, then no profile is created', async () => {
    const authId = freshAuthId();
    const register = registerPayload(authId);
    const registerId = await publish(register);
    await stack.drained();
    await publish(erasedPayload(authId));
    await stack.drained();
    await publish(register, { id: registerId });
    await publish(register);
    await stack.drained();
    expect(await profileCount(authId)).toBe(0);
  });

  it('When Account Erased overtakes its Register, a deactivation and a revocation, then nothing of the account is created', async () => {
    const authId = freshAuthId();
    await publish(erasedPayload(authId));
    await stack.drained();
    await publish(deactivatePayload(authId));
    await publish(registerPayload(authId));
    await publish(revokedPayload(authId));
    await stack.drained();
    expect(await profileCount(authId)).toBe(0);
    expect(
      await count('SELECT COUNT(*) AS n FROM deactivated_accounts WHERE auth_id = ?', authId),
    ).toBe(0);
    expect(
      await count('SELECT COUNT(*) AS n FROM revoked_sessions WHERE auth_id = ?', authId),
    ).toBe(0);
  });
});
