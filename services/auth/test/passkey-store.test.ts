import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authDataSource } from '../src/data/data-source.js';
import { Store } from '../src/data/store.js';
import type { NewPasskey } from '../src/passkeys/passkey-repository.js';
import { createDatabase } from '../../../test/support/infra.js';
import { STACK_MODE } from '../../../test/support/stack.js';

// The passkey statements against the real database of each mode: challenges spent once, the sign
// count swapped only from the value it was checked against, credential ids unique across accounts.
let workDir: string;
let dropDatabase: () => Promise<void> = async () => undefined;
let dataSource: DataSource;
let store: Store;
let userId: number;
let otherId: number;

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'auth-passkey-store-'));
  let url = `sqlite:${path.join(workDir, 'auth.db')}`;
  if (STACK_MODE === 'infra') {
    const database = await createDatabase('auth_passkey_store');
    url = database.url;
    dropDatabase = database.drop;
  }
  dataSource = authDataSource(url);
  await dataSource.initialize();
  await dataSource.runMigrations();
  store = new Store(dataSource);
  const create = async (login: string) =>
    (
      await store.repos.accounts.create(
        { login, email: `${login}@example.com`, hashedPassword: 'x' },
        ['user'],
      )
    ).id;
  userId = await create('owner');
  otherId = await create('other');
});
afterAll(async () => {
  await dataSource?.destroy();
  await dropDatabase();
  await rm(workDir, { recursive: true, force: true });
});

const passkey = (owner: number, overrides: Partial<NewPasskey> = {}): NewPasskey => ({
  userId: owner,
  credentialId: randomBytes(32).toString('base64url'),
  publicKey: randomBytes(77),
  signCount: 0,
  transports: ['internal', 'hybrid'],
  name: 'Laptop',
  backedUp: true,
  deviceType: 'multiDevice',
  aaguid: '00000000-0000-0000-0000-000000000000',
  ...overrides,
});

describe('passkey store', () => {
  it('When an account needs a user handle, then it gets one random handle that leads back to it, even when asked twice at once', async () => {
    const handles = await Promise.all([
      store.repos.passkeys.userHandleOf(userId),
      store.repos.passkeys.userHandleOf(userId),
    ]);
    expect(handles[0]).toBe(handles[1]);
    expect(Buffer.from(handles[0], 'base64url')).toHaveLength(32);
    expect(await store.repos.passkeys.userIdByHandle(handles[0])).toBe(userId);
    expect(await store.repos.passkeys.userHandleOf(otherId)).not.toBe(handles[0]);
  });

  it('When a challenge is answered twice at once, then exactly one answer gets it', async () => {
    const challenges = store.repos.webauthnChallenges;
    const id = randomUUID();
    await challenges.issue({
      id,
      ceremony: 'login',
      userId: null,
      challenge: 'c1',
      ttlSeconds: 60,
    });
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        store.transaction((repos) => repos.webauthnChallenges.consume(id, 'login', null)),
      ),
    );
    expect(answers.filter((a) => a === 'c1')).toHaveLength(1);
    expect(answers.filter((a) => a === null)).toHaveLength(4);
  });

  it('When a challenge is answered for another ceremony, another account or too late, then it gives nothing', async () => {
    const challenges = store.repos.webauthnChallenges;
    const issue = async (ttlSeconds: number, owner: number | null = userId) => {
      const id = randomUUID();
      await challenges.issue({
        id,
        ceremony: 'registration',
        userId: owner,
        challenge: id,
        ttlSeconds,
      });
      return id;
    };
    const fresh = await issue(60);
    expect(await challenges.consume(fresh, 'login', null)).toBeNull();
    expect(await challenges.consume(fresh, 'registration', otherId)).toBeNull();
    expect(await challenges.consume(fresh, 'registration', userId)).toBe(fresh);
    expect(await challenges.consume(await issue(-1), 'registration', userId)).toBeNull();
  });

  it('When a credential id is registered already, then a second registration of it is refused, for any account', async () => {
    const first = passkey(userId);
    const stored = await store.repos.passkeys.add(first);
    expect(stored).toMatchObject({ userId, name: 'Laptop', transports: ['internal', 'hybrid'] });
    expect(await store.repos.passkeys.add({ ...first, userId: otherId })).toBeNull();
    const found = await store.repos.passkeys.findByCredentialId(first.credentialId);
    expect(found?.userId).toBe(userId);
    expect(Buffer.from(found!.publicKey)).toEqual(Buffer.from(first.publicKey));
  });

  it('When two assertions were checked against one sign count, then only one is recorded; a count past 2^31 is kept', async () => {
    const stored = (await store.repos.passkeys.add(passkey(userId, { signCount: 2 ** 31 + 5 })))!;
    const record = (signCount: number) =>
      store.repos.passkeys.recordUse(stored.id, {
        previousCount: 2 ** 31 + 5,
        signCount,
        backedUp: false,
      });
    const counts = [2 ** 31 + 6, 2 ** 31 + 7];
    const recorded = await Promise.all(counts.map(record));
    expect(recorded.filter(Boolean)).toHaveLength(1);
    const [after] = (await store.repos.passkeys.credentialsOf(userId)).filter(
      (c) => c.id === stored.id,
    );
    expect(after).toMatchObject({
      signCount: counts[recorded.indexOf(true)],
      backedUp: false,
    });
    expect(after?.lastUsedAt).toBeInstanceOf(Date);
  });

  it("When another account's passkey is renamed or removed, then nothing changes", async () => {
    const stored = (await store.repos.passkeys.add(passkey(userId)))!;
    expect(await store.repos.passkeys.rename(otherId, stored.id, 'Mine now')).toBeNull();
    expect(await store.repos.passkeys.remove(otherId, stored.id)).toBe(false);
    expect((await store.repos.passkeys.rename(userId, stored.id, 'Phone'))?.name).toBe('Phone');
    expect(await store.repos.passkeys.remove(userId, stored.id)).toBe(true);
    expect(await store.repos.passkeys.findOwned(userId, stored.id)).toBeNull();
  });
});
