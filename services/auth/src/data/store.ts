import type { DataSource, EntityManager } from 'typeorm';
import { AccountRepository } from './account-repository.js';
import { OutboxRepository } from './outbox-repository.js';
import { TokenRepository } from './token-repository.js';

export interface Repositories {
  accounts: AccountRepository;
  tokens: TokenRepository;
  outbox: OutboxRepository;
}

const bind = (db: EntityManager): Repositories => ({
  accounts: new AccountRepository(db),
  tokens: new TokenRepository(db),
  outbox: new OutboxRepository(db),
});

/** The auth service's data access: repositories outside or inside one transaction. */
export class Store {
  readonly repos: Repositories;

  constructor(private readonly dataSource: DataSource) {
    this.repos = bind(dataSource.manager);
  }

  transaction<T>(work: (repos: Repositories) => Promise<T>): Promise<T> {
    return this.dataSource.transaction((manager) => work(bind(manager)));
  }

  async ping(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }
}
