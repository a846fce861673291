import type { SqlDialect } from '@platform/common';
import type { EntityManager } from 'typeorm';
import { PasswordResetRequestEntity } from '../data/entities.js';

export interface ResetRequest {
  id: number;
  email: string;
  ip: string | null;
  requestId: string | null;
}

/**
 * Forgot-password requests, taken in with the same work whatever the address and resolved later (an
 * account looked up, a link mailed or not), so that neither the answer nor its timing tells whether
 * an address is registered.
 */
export class ResetRequestRepository {
  constructor(
    private readonly db: EntityManager,
    private readonly sql: SqlDialect,
  ) {}

  async add(request: { email: string; ip?: string | undefined; requestId?: string | undefined }) {
    await this.db.insert(PasswordResetRequestEntity, {
      email_lower: request.email.toLowerCase().slice(0, 254),
      ip: request.ip?.slice(0, 64) ?? null,
      request_id: request.requestId?.slice(0, 128) ?? null,
      created_at: new Date(),
    });
  }

  /**
   * Inside a transaction: the oldest requests, locked so that resolvers in other replicas take other
   * ones (SKIP LOCKED on Postgres); each is deleted in the same transaction once resolved.
   */
  async claim(limit: number): Promise<ResetRequest[]> {
    const rows = await this.sql
      .skipLocked(
        this.db
          .createQueryBuilder(PasswordResetRequestEntity, 'r')
          .orderBy('r.id', 'ASC')
          .take(limit),
      )
      .getMany();
    return rows.map((r) => ({ id: r.id, email: r.email_lower, ip: r.ip, requestId: r.request_id }));
  }

  async delete(id: number): Promise<void> {
    await this.db.delete(PasswordResetRequestEntity, { id });
  }
}
