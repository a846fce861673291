import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';
import { dialectOf } from '@platform/common';

/**
 * The ids of erased accounts (`Account Erased`): a Register of one delivered late or again creates no
 * profile, and a token of one is refused. Only the id and the time are kept; the auth service never
 * gives an id to another account, so the rows stay.
 */
export class ErasedAccounts1764849600000 implements MigrationInterface {
  name = 'ErasedAccounts1764849600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const timestamp = dialectOf(queryRunner).timestampColumn;
    await queryRunner.createTable(
      new Table({
        name: 'erased_accounts',
        columns: [
          { name: 'auth_id', type: 'integer', isPrimary: true },
          { name: 'erased_at', type: timestamp },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('erased_accounts');
  }
}
