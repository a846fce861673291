import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authDataSource } from '../src/data/data-source.js';
import { Store } from '../src/data/store.js';
import { newMfaToken } from '../src/factors/mfa-token-repository.js';
import { createDatabase } from '../../../test/support/infra.js';
import { STACK_MODE } from '../../../test/support/stack.js';

// The compare-and-swaps of the second factors against the real database of each mode: of concurrent
// spends of one TOTP step, one recovery code or one mfa_token exactly one wins.
let workDir: string;
let dropDatabase: () => Promise<void> = async () => undefined;
let dataSource: DataSource;
let store: Store;
let next = 0;

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'auth-factor-store-'));
  let url = `sqlite:${path.join(workDir, 'auth.db')}`;
  if (STACK_MODE === 'infra') {
    const database = await createDatabase('auth_factor_store');
    url = database.url;
    dropDatabase = database.drop;
  }
  dataSource = authDataSource(url);
  await dataSource.initialize();
  await dataSource.runMigrations();
  store = new Store(dataSource);
});
afterAll(async () => {
  await dataSource?.destroy();
  await dropDatabase();
  await rm(workDir, { recursive: true, force: true });
});

async function account(): Promise<number> {
  const login = `factor_${++next}`;
  const created = await store.repos.accounts.create(
    { login, email: `${login}@example.com`, hashedPassword: 'x' },
    ['user'],
  );
  return created.id;
}

const wins = (results: boolean[]) => results.filter(Boolean).length;
const many = <T>(n: number, work: () => Promise<T>) => Promise.all(Array.from({ length: n }, work));

describe(`second factors in the database (${STACK_MODE === 'infra' ? 'Postgres' : 'SQLite'})`, () => {
  it('When an enrolment is confirmed, then its step counts as used and only later steps are accepted', async () => {
    const { factors } = store.repos;
    const userId = await account();
    expect(await factors.startTotp(userId, 'v1.k.sealed-1')).toBe(true);
    expect(await factors.startTotp(userId, 'v1.k.sealed-2')).toBe(true);
    expect(await factors.totpOf(userId)).toMatchObject({
      sealedSecret: 'v1.k.sealed-2',
      confirmed: false,
    });
    expect(await factors.useTotpStep(userId, 100)).toBe(false);
    expect(await factors.confirmTotp(userId, 100)).toBe(true);
    expect(await factors.confirmTotp(userId, 101)).toBe(false);
    expect(await factors.startTotp(userId, 'v1.k.sealed-3')).toBe(false);
    expect(await factors.totpOf(userId)).toMatchObject({ confirmed: true, lastStep: 100 });
    expect(await factors.useTotpStep(userId, 100)).toBe(false);
    expect(await factors.useTotpStep(userId, 99)).toBe(false);
    expect(await factors.useTotpStep(userId, 101)).toBe(true);
    expect(await factors.useTotpStep(userId, 101)).toBe(false);
  });

  it('When one step is spent by many at once, inside transactions or not, then exactly one wins', async () => {
    const { factors } = store.repos;
    const userId = await account();
    await factors.startTotp(userId, 'v1.k.sealed');
    await factors.confirmTotp(userId, 1);
    expect(wins(await many(8, () => factors.useTotpStep(userId, 2)))).toBe(1);
    const inTransactions = await many(8, () =>
      store.transaction((repos) => repos.factors.useTotpStep(userId, 3)),
    );
    expect(wins(inTransactions)).toBe(1);
    expect((await factors.totpOf(userId))?.lastStep).toBe(3);
  });

  it('When recovery codes are replaced, then the old ones are gone, and each new one is spent once', async () => {
    const { factors } = store.repos;
    const userId = await account();
    await factors.replaceRecoveryCodes(userId, 'k1', ['a'.repeat(64), 'b'.repeat(64)]);
    await factors.replaceRecoveryCodes(userId, 'k2', ['c'.repeat(64), 'd'.repeat(64)]);
    const codes = await factors.unusedRecoveryCodes(userId);
    expect(codes.map((c) => [c.kid, c.hash[0]])).toEqual([
      ['k2', 'c'],
      ['k2', 'd'],
    ]);
    expect(wins(await many(8, () => factors.useRecoveryCode(codes[0]!.id)))).toBe(1);
    expect((await factors.unusedRecoveryCodes(userId)).map((c) => c.id)).toEqual([codes[1]!.id]);
  });

  it('When an mfa_token is spent by many at once, then one gets its account, and a rolled back spend gives it back', async () => {
    const { mfaTokens } = store.repos;
    const userId = await account();
    const { hash } = newMfaToken();
    await mfaTokens.issue({ userId, purpose: 'login', hash, ttlSeconds: 60 });
    expect(await mfaTokens.find(hash, 'enrol')).toBeNull();
    const rolledBack = await store
      .transaction(async (repos) => {
        expect(await repos.mfaTokens.spend(hash, 'login')).toEqual({ userId });
        throw new Error('the second factor was wrong');
      })
      .catch((err: Error) => err.message);
    expect(rolledBack).toBe('the second factor was wrong');
    const spends = await many(8, () =>
      store.transaction((repos) => repos.mfaTokens.spend(hash, 'login')),
    );
    expect(spends.filter((owner) => owner?.userId === userId)).toHaveLength(1);
    expect(await mfaTokens.spend(hash, 'login')).toBeNull();
  });

  it('When an mfa_token has expired, then it is good for nothing and the cleanup deletes it', async () => {
    const { mfaTokens } = store.repos;
    const userId = await account();
    const { hash } = newMfaToken();
    await mfaTokens.issue({ userId, purpose: 'login', hash, ttlSeconds: 0 });
    expect(await mfaTokens.spend(hash, 'login')).toBeNull();
    expect(await mfaTokens.deleteExpired(new Date(Date.now() + 1000), 100)).toBeGreaterThan(0);
  });
});
