import argon2 from 'argon2';
import { describe, expect, it } from 'vitest';
import { Gate, PasswordHasher } from './passwords.js';

/** A task that starts when called and ends when `finish()` is called. */
function pending(log: string[], name: string) {
  let finish!: () => void;
  let fail!: (err: Error) => void;
  const done = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  return {
    task: () => {
      log.push(`start ${name}`);
      return done;
    },
    finish: () => finish(),
    fail: (err: Error) => fail(err),
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('Gate (at most N argon2 computations at once)', () => {
  it('runs at most `limit` tasks at once, the others in the order they came', async () => {
    const log: string[] = [];
    const gate = new Gate(2);
    const tasks = ['a', 'b', 'c', 'd'].map((name) => pending(log, name));
    const results = tasks.map((t) => gate.run(t.task));
    await settle();
    expect(log).toEqual(['start a', 'start b']);
    tasks[1]!.finish();
    await settle();
    expect(log).toEqual(['start a', 'start b', 'start c']);
    tasks[0]!.finish();
    await settle();
    expect(log).toEqual(['start a', 'start b', 'start c', 'start d']);
    tasks[2]!.finish();
    tasks[3]!.finish();
    await Promise.all(results);
  });

  it('frees the slot of a task that fails and passes the failure on', async () => {
    const log: string[] = [];
    const gate = new Gate(1);
    const first = pending(log, 'first');
    const second = pending(log, 'second');
    const failed = gate.run(first.task);
    const next = gate.run(second.task);
    await settle();
    expect(log).toEqual(['start first']);
    first.fail(new Error('malformed hash'));
    await expect(failed).rejects.toThrow('malformed hash');
    await settle();
    expect(log).toEqual(['start first', 'start second']);
    second.finish();
    await next;
  });

  it('returns to idle: a later task starts at once', async () => {
    const log: string[] = [];
    const gate = new Gate(1);
    await gate.run(async () => 'done');
    const later = pending(log, 'later');
    const run = gate.run(later.task);
    await settle();
    expect(log).toEqual(['start later']);
    later.finish();
    await run;
  });
});

describe('PasswordHasher', () => {
  const params = { memoryKiB: 1024, timeCost: 2, parallelism: 1, concurrency: 1 };

  it('verifies its own hashes without asking for a rehash, and refuses a wrong password', async () => {
    const hasher = new PasswordHasher(params);
    const hash = await hasher.hash('correct horse');
    expect(await hasher.verify(hash, 'correct horse')).toEqual({ ok: true, needsRehash: false });
    expect(await hasher.verify(hash, 'wrong horse')).toEqual({ ok: false, needsRehash: false });
    expect(await hasher.verify('not a hash', 'correct horse')).toEqual({
      ok: false,
      needsRehash: false,
    });
  });

  it.each<[string, argon2.HashOptions]>([
    [
      'a lower memory cost',
      { memoryCost: 512, timeCost: 2, parallelism: 1, type: argon2.argon2id },
    ],
    [
      'a higher time cost',
      { memoryCost: 1024, timeCost: 3, parallelism: 1, type: argon2.argon2id },
    ],
    ['more lanes', { memoryCost: 1024, timeCost: 2, parallelism: 2, type: argon2.argon2id }],
    [
      'another type (argon2i)',
      { memoryCost: 1024, timeCost: 2, parallelism: 1, type: argon2.argon2i },
    ],
  ])('When a stored hash has %s, then a correct password asks for a rehash', async (_, options) => {
    const hasher = new PasswordHasher(params);
    const old = await argon2.hash('correct horse', options);
    expect(await hasher.verify(old, 'correct horse')).toEqual({ ok: true, needsRehash: true });
    expect(await hasher.verify(old, 'wrong horse')).toEqual({ ok: false, needsRehash: false });
  });

  it('When the stored hash is of the old version 0x10, then a correct password asks for a rehash', async () => {
    const hasher = new PasswordHasher(params);
    const old = await argon2.hash('correct horse', {
      memoryCost: 1024,
      timeCost: 2,
      parallelism: 1,
      type: argon2.argon2id,
      version: 0x10,
    });
    expect(await hasher.verify(old, 'correct horse')).toEqual({ ok: true, needsRehash: true });
  });
});
