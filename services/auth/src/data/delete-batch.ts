import type { SqlDialect } from '@platform/common';
import type { EntityManager, EntitySchema, ObjectLiteral } from 'typeorm';

export interface BatchFilter {
  /** A condition on the alias `victim`, e.g. `victim.expires_at < :before`. */
  where: string;
  params: Record<string, unknown>;
  /** An indexed column of `victim`, so picking a batch reads an index range and not the table. */
  orderBy: string;
}

/**
 * Deletes up to `limit` rows that match, chosen by primary key with a LIMITed select, in a single
 * statement: one short transaction that touches only the rows it deletes. On Postgres those rows are
 * locked with SKIP LOCKED, so runs that overlap take different rows and never wait for each other or
 * for traffic. Returns how many rows this statement deleted; a row deleted by another run is not counted.
 */
export async function deleteBatch<T extends ObjectLiteral>(
  db: EntityManager,
  sql: SqlDialect,
  entity: EntitySchema<T>,
  filter: BatchFilter,
  limit: number,
): Promise<number> {
  const pick = sql.skipLocked(
    db
      .createQueryBuilder(entity, 'victim')
      .select('victim.id')
      .where(filter.where, filter.params)
      .orderBy(filter.orderBy)
      .limit(limit),
  );
  const result = await db
    .createQueryBuilder()
    .delete()
    .from(entity)
    .where(`id IN (${pick.getQuery()})`)
    .setParameters(pick.getParameters())
    .execute();
  return result.affected ?? 0;
}
