import type { DataSource, EntityManager } from 'typeorm';
import { exclusiveAccess, type ExclusiveAccess } from '@platform/common';
import { AccountRepository } from '../accounts/account-repository.js';
import { AuditRepository } from '../audit/audit-repository.js';
import { OutboxRepository } from '../outbox/outbox-repository.js';
import { ThrottleRepository } from '../throttle/throttle-repository.js';
import { TokenRepository } from '../sessions/session-repository.js';

export interface Repositories {
  accounts: AccountRepository;
  tokens: TokenRepository;
  outbox: OutboxRepository;
  audit: AuditRepository;
  throttle: ThrottleRepository;
}

const bind = (db: EntityManager): Repositories => ({
  accounts: new AccountRepository(db),
  tokens: new TokenRepository(db),
  outbox: new OutboxRepository(db),
  audit: new AuditRepository(db),
  throttle: new ThrottleRepository(db),
});

/**
 * The auth service's data access: repositories outside or inside one transaction. On SQLite each
 * transaction and each statement outside one takes its turn (see ExclusiveAccess); code inside a
 * transaction must use the repositories it is given, never `repos`.
 */
export class Store {
  readonly repos: Repositories;
  private readonly access: ExclusiveAccess;

  constructor(private readonly dataSource: DataSource) {
    this.access = exclusiveAccess(dataSource);
    const repos = bind(dataSource.manager);
    this.repos = {
      accounts: this.access.guard(repos.accounts),
      tokens: this.access.guard(repos.tokens),
      outbox: this.access.guard(repos.outbox),
      audit: this.access.guard(repos.audit),
      throttle: this.access.guard(repos.throttle),
    };
  }

  transaction<T>(work: (repos: Repositories) => Promise<T>): Promise<T> {
    return this.access.run(() => this.dataSource.transaction((manager) => work(bind(manager))));
  }

  async ping(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }
}
