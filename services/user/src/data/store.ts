import type { DataSource } from 'typeorm';
import { createDataSource, dialectOf, type SqlDialect } from '@platform/common';
import { entities } from './entities.js';
import { InitialSchema1764072000000 } from './migrations/1764072000000-initial-schema.js';
import { RevokedSessions1764158400000 } from './migrations/1764158400000-revoked-sessions.js';
import { ErasedAccounts1764849600000 } from './migrations/1764849600000-erased-accounts.js';
import { ProfileRepository } from '../profiles/profile-repository.js';
import { RevocationRepository } from '../sessions/revocation-repository.js';
import { ErasureRepository } from '../erasure/erasure-repository.js';

export const migrations = [
  InitialSchema1764072000000,
  RevokedSessions1764158400000,
  ErasedAccounts1764849600000,
];

export interface UserRepositories {
  profiles: ProfileRepository;
  revocations: RevocationRepository;
  erasure: ErasureRepository;
}

export function userDataSource(
  url: string,
  opts: { poolSize?: number; timeoutMs?: number } = {},
): DataSource {
  return createDataSource({ url, entities, migrations, ...opts });
}

/**
 * The user service's data access, outside or inside one transaction; on SQLite they take turns (see
 * ExclusiveAccess).
 */
export class Store {
  readonly profiles: ProfileRepository;
  readonly revocations: RevocationRepository;
  readonly erasure: ErasureRepository;
  private readonly sql: SqlDialect;

  constructor(private readonly dataSource: DataSource) {
    this.sql = dialectOf(dataSource);
    this.profiles = this.sql.access.guard(new ProfileRepository(dataSource.manager, this.sql));
    this.revocations = this.sql.access.guard(new RevocationRepository(dataSource.manager));
    this.erasure = this.sql.access.guard(new ErasureRepository(dataSource.manager, this.sql));
  }

  transaction<T>(work: (repos: UserRepositories) => Promise<T>): Promise<T> {
    return this.sql.access.run(() =>
      this.dataSource.transaction((manager) =>
        work({
          profiles: new ProfileRepository(manager, this.sql),
          revocations: new RevocationRepository(manager),
          erasure: new ErasureRepository(manager, this.sql),
        }),
      ),
    );
  }

  async ping(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }
}
