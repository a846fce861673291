import type { DataSource, EntityManager } from 'typeorm';
import { dialectOf, type SqlDialect } from '@platform/common';
import { AccountRepository } from '../accounts/account-repository.js';
import { AuditQueryRepository, AuditRepository } from '../audit/audit-repository.js';
import { FactorRepository } from '../factors/factor-repository.js';
import { MfaTokenRepository } from '../factors/mfa-token-repository.js';

import { ErasureRepository } from '../erasure/erasure-repository.js';
import { MailQueueRepository } from '../mail/mail-queue-repository.js';
import { MailTokenRepository } from '../recovery/mail-token-repository.js';
import { ResetRequestRepository } from '../recovery/reset-request-repository.js';
import { OutboxRepository } from '../outbox/outbox-repository.js';
import { PostgresSessionRepository } from '../sessions/postgres-session-repository.js';
import type { SessionRepository } from '../sessions/session-repository.js';
import { SqliteSessionRepository } from '../sessions/sqlite-session-repository.js';
import { ThrottleRepository } from '../throttle/throttle-repository.js';
import { ChallengeRepository } from '../passkeys/challenge-repository.js';
import { PasskeyRepository } from '../passkeys/passkey-repository.js';
import { DirectoryRepository } from '../operators/directory-repository.js';

export interface Repositories {
  accounts: AccountRepository;
  sessions: SessionRepository;
  outbox: OutboxRepository;
  audit: AuditRepository;
  throttle: ThrottleRepository;
  mail: MailQueueRepository;
  mailTokens: MailTokenRepository;
  resetRequests: ResetRequestRepository;
  factors: FactorRepository;
  mfaTokens: MfaTokenRepository;
  passkeys: PasskeyRepository;
  webauthnChallenges: ChallengeRepository;
  directory: DirectoryRepository;
  auditQuery: AuditQueryRepository;
  erasure: ErasureRepository;
}

function bind(db: EntityManager, sql: SqlDialect): Repositories {
  const Sessions = sql.pick({
    postgres: PostgresSessionRepository,
    sqlite: SqliteSessionRepository,
  });
  return {
    accounts: new AccountRepository(db, sql),
    sessions: new Sessions(db, sql),
    outbox: new OutboxRepository(db, sql),
    audit: new AuditRepository(db, sql),
    throttle: new ThrottleRepository(db, sql),
    mail: new MailQueueRepository(db, sql),
    mailTokens: new MailTokenRepository(db, sql),
    resetRequests: new ResetRequestRepository(db, sql),
    factors: new FactorRepository(db, sql),
    mfaTokens: new MfaTokenRepository(db, sql),
    passkeys: new PasskeyRepository(db, sql),
    webauthnChallenges: new ChallengeRepository(db, sql),
    directory: new DirectoryRepository(db, sql),
    auditQuery: new AuditQueryRepository(db, sql),
    erasure: new ErasureRepository(db, sql),
  };
}

/**
 * The auth service's data access: repositories outside or inside one transaction. On SQLite each
 * transaction and each statement outside one takes its turn (see ExclusiveAccess); code inside a
 * transaction must use the repositories it is given, never `repos`.
 */
export class Store {
  readonly repos: Repositories;
  private readonly sql: SqlDialect;

  constructor(private readonly dataSource: DataSource) {
    this.sql = dialectOf(dataSource);
    const repos = bind(dataSource.manager, this.sql);
    const { access } = this.sql;
    this.repos = {
      accounts: access.guard(repos.accounts),
      sessions: access.guard(repos.sessions),
      outbox: access.guard(repos.outbox),
      audit: access.guard(repos.audit),
      throttle: access.guard(repos.throttle),
      mail: access.guard(repos.mail),
      mailTokens: access.guard(repos.mailTokens),
      resetRequests: access.guard(repos.resetRequests),
      factors: access.guard(repos.factors),
      mfaTokens: access.guard(repos.mfaTokens),
      passkeys: access.guard(repos.passkeys),
      webauthnChallenges: access.guard(repos.webauthnChallenges),
      directory: access.guard(repos.directory),
      auditQuery: access.guard(repos.auditQuery),
      erasure: access.guard(repos.erasure),
    };
  }

  transaction<T>(work: (repos: Repositories) => Promise<T>): Promise<T> {
    return this.sql.access.run(() =>
      this.dataSource.transaction((manager) => work(bind(manager, this.sql))),
    );
  }

  async ping(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }
}
