import type { QueryRunner } from 'typeorm';

/** Column types that differ between the two databases; everything else in a migration is shared. */
export function columnTypes(queryRunner: QueryRunner): { timestamp: string } {
  const postgres = queryRunner.connection.options.type === 'postgres';
  return { timestamp: postgres ? 'timestamptz' : 'datetime' };
}
