import { TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { dialectOf } from '@platform/common';

/**
 * The operator API's lookups. The directory's prefix search reads `login_lower` and `email_lower` as
 * ranges in byte order: on Postgres the unique indexes use the database's collation, which no prefix
 * search can use, so `text_pattern_ops` indexes serve it; on SQLite the unique indexes (BINARY
 * collation) already do. The audit trail is filtered by actor and by action, newest first. An
 * account remembers the message id of the `Account Deactivate` of its latest deactivation, which its
 * `Account Reactivate` names, so the user service cannot apply the two in the wrong order.
 */
const PREFIX_INDEXES = {
  postgres: [
    'CREATE INDEX ix_auth_info_login_prefix ON auth_info (login_lower text_pattern_ops)',
    'CREATE INDEX ix_auth_info_email_prefix ON auth_info (email_lower text_pattern_ops)',
  ],
  sqlite: [],
};

const AUDIT_INDEXES = [
  new TableIndex({ name: 'ix_audit_log_actor_id', columnNames: ['actor_id', 'id'] }),
  new TableIndex({ name: 'ix_audit_log_action', columnNames: ['action', 'id'] }),
];

export class OperatorDirectory1764763380000 implements MigrationInterface {
  name = 'OperatorDirectory1764763380000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'auth_info',
      new TableColumn({
        name: 'deactivation_event_id',
        type: 'varchar',
        length: '36',
        isNullable: true,
      }),
    );
    for (const sql of dialectOf(queryRunner).pick(PREFIX_INDEXES)) await queryRunner.query(sql);
    await queryRunner.createIndices('audit_log', AUDIT_INDEXES);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const index of AUDIT_INDEXES) await queryRunner.dropIndex('audit_log', index.name!);
    const drop = {
      postgres: ['DROP INDEX ix_auth_info_email_prefix', 'DROP INDEX ix_auth_info_login_prefix'],
      sqlite: [],
    };
    for (const sql of dialectOf(queryRunner).pick(drop)) await queryRunner.query(sql);
    await queryRunner.dropColumn('auth_info', 'deactivation_event_id');
  }
}
