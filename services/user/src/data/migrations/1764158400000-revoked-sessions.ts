import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { dialectOf } from '@platform/common';

/** Sessions the auth service ended (`Sessions Revoked`), so their tokens are refused here too. */
export class RevokedSessions1764158400000 implements MigrationInterface {
  name = 'RevokedSessions1764158400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const timestamp = dialectOf(queryRunner).timestampColumn;
    await queryRunner.createTable(
      new Table({
        name: 'revoked_sessions',
        columns: [
          { name: 'session_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'auth_id', type: 'integer' },
          { name: 'reason', type: 'varchar', length: '32' },
          { name: 'expires_at', type: timestamp },
          { name: 'revoked_at', type: timestamp },
        ],
        indices: [
          new TableIndex({ name: 'ix_revoked_sessions_expires_at', columnNames: ['expires_at'] }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('revoked_sessions');
  }
}
