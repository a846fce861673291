import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { authDataSource } from './data-source.js';
import { Store } from './store.js';

let dataSource: DataSource;
let store: Store;

beforeAll(async () => {
  dataSource = authDataSource('sqlite::memory:');
  await dataSource.initialize();
  await dataSource.runMigrations();
  store = new Store(dataSource);
});
afterAll(async () => {
  await dataSource.destroy();
});

const account = (login: string) => ({ login, email: `${login}@example.com`, hashedPassword: 'x' });

describe('Store on SQLite (one connection)', () => {
  it('When a transaction rolls back while others write, then only its own work is undone', async () => {
    const failing = store
      .transaction(async (repos) => {
        await repos.accounts.create(account('rolled_back'), ['user']);
        await new Promise((resolve) => setTimeout(resolve, 30));
        throw new Error('rollback');
      })
      .catch((err: Error) => err.message);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const committed = store.transaction((repos) =>
      repos.accounts.create(account('committed'), ['user']),
    );
    const plain = store.repos.accounts.create(account('plain'), ['user']);

    expect(await failing).toBe('rollback');
    await Promise.all([committed, plain]);
    expect(await store.repos.accounts.findByLogin('committed')).not.toBeNull();
    expect(await store.repos.accounts.findByLogin('plain')).not.toBeNull();
    expect(await store.repos.accounts.findByLogin('rolled_back')).toBeNull();
  });
});
