import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { dialectOf } from '@platform/common';

/** Triggers that refuse every change to a stored record. */
const APPEND_ONLY = {
  postgres: [
    `CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       RAISE EXCEPTION 'audit_log is append-only';
     END $$`,
    `CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
     FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`,
    `CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
     FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()`,
  ],
  sqlite: ['UPDATE', 'DELETE'].map(
    (
      operation,
    ) => `CREATE TRIGGER audit_log_no_${operation.toLowerCase()} BEFORE ${operation} ON audit_log
     BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END`,
  ),
};

/** The audit trail: an append-only table (triggers refuse UPDATE, DELETE and TRUNCATE). */
export class AuditLog1764158400000 implements MigrationInterface {
  name = 'AuditLog1764158400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const timestamp = dialectOf(queryRunner).timestampColumn;
    await queryRunner.createTable(
      new Table({
        name: 'audit_log',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'occurred_at', type: timestamp },
          { name: 'action', type: 'varchar', length: '32' },
          { name: 'outcome', type: 'varchar', length: '16' },
          { name: 'reason', type: 'varchar', length: '64', isNullable: true },
          { name: 'user_id', type: 'integer', isNullable: true },
          { name: 'actor_id', type: 'integer', isNullable: true },
          { name: 'login', type: 'varchar', length: '64', isNullable: true },
          { name: 'ip', type: 'varchar', length: '64', isNullable: true },
          { name: 'request_id', type: 'varchar', length: '128', isNullable: true },
          { name: 'details', type: 'text', isNullable: true },
        ],
        indices: [
          new TableIndex({ name: 'ix_audit_log_occurred_at', columnNames: ['occurred_at'] }),
          new TableIndex({ name: 'ix_audit_log_user_id', columnNames: ['user_id'] }),
        ],
      }),
    );
    for (const sql of dialectOf(queryRunner).pick(APPEND_ONLY)) await queryRunner.query(sql);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('audit_log');
    const drop = { postgres: ['DROP FUNCTION audit_log_append_only()'], sqlite: [] };
    for (const sql of dialectOf(queryRunner).pick(drop)) await queryRunner.query(sql);
  }
}
