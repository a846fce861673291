import type { SqlDialect } from '@platform/common';
import { EntitySchema, type EntityManager } from 'typeorm';
import { deleteBatch } from '../data/delete-batch.js';

export interface LoginThrottleRow {
  id: number;
  key: string;
  failures: number;
  locked_until: Date | null;
  expires_at: Date;
}

/** Failure counters, rate counters and used challenge solutions (see PostgresThrottleStore). */
export const LoginThrottleEntity = new EntitySchema<LoginThrottleRow>({
  name: 'LoginThrottle',
  tableName: 'login_throttle',
  columns: {
    id: { type: 'integer', primary: true, generated: 'increment' },
    key: { type: 'text' },
    failures: { type: 'integer', default: 0 },
    locked_until: { type: Date, nullable: true },
    expires_at: { type: Date },
  },
});

/** What the cleanup needs of the throttle table; the counting itself is PostgresThrottleStore's. */
export class ThrottleRepository {
  constructor(
    private readonly db: EntityManager,
    private readonly sql: SqlDialect,
  ) {}

  /** Deletes up to `limit` rows that expired before `before` (no request reads them); returns how many. */
  deleteExpired(before: Date, limit: number): Promise<number> {
    return deleteBatch(
      this.db,
      this.sql,
      LoginThrottleEntity,
      { where: 'victim.expires_at < :before', params: { before }, orderBy: 'victim.expires_at' },
      limit,
    );
  }
}
