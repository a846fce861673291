import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { dialectOf } from '@platform/common';

export class InitialSchema1764072000000 implements MigrationInterface {
  name = 'InitialSchema1764072000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const timestamp = dialectOf(queryRunner).timestampColumn;
    await queryRunner.createTable(
      new Table({
        name: 'user_profiles',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'auth_id', type: 'integer' },
          { name: 'display_name', type: 'varchar', length: '30' },
          { name: 'bio', type: 'varchar', length: '500', isNullable: true },
          { name: 'is_active', type: 'boolean', default: true },
          { name: 'created_at', type: timestamp },
          { name: 'updated_at', type: timestamp },
        ],
        indices: [
          new TableIndex({
            name: 'ux_user_profiles_auth_id',
            columnNames: ['auth_id'],
            isUnique: true,
          }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'processed_messages',
        columns: [
          { name: 'message_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'event_type', type: 'varchar', length: '64' },
          { name: 'processed_at', type: timestamp },
        ],
        indices: [
          new TableIndex({
            name: 'ix_processed_messages_processed_at',
            columnNames: ['processed_at'],
          }),
        ],
      }),
    );
    // Deactivations that arrived before the account's Register event, so that the late profile is
    // created inactive (events may arrive out of order).
    await queryRunner.createTable(
      new Table({
        name: 'deactivated_accounts',
        columns: [
          { name: 'auth_id', type: 'integer', isPrimary: true },
          { name: 'deactivated_at', type: timestamp },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('deactivated_accounts');
    await queryRunner.dropTable('processed_messages');
    await queryRunner.dropTable('user_profiles');
  }
}
