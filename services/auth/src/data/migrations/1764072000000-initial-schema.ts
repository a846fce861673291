import {
  Table,
  TableForeignKey,
  TableIndex,
  type MigrationInterface,
  type QueryRunner,
} from 'typeorm';
import { dialectOf } from '@platform/common';

export class InitialSchema1764072000000 implements MigrationInterface {
  name = 'InitialSchema1764072000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const timestamp = dialectOf(queryRunner).timestampColumn;
    const id = {
      name: 'id',
      type: 'integer',
      isPrimary: true,
      isGenerated: true,
      generationStrategy: 'increment' as const,
    };

    await queryRunner.createTable(
      new Table({
        name: 'auth_info',
        columns: [
          id,
          { name: 'login', type: 'varchar', length: '30' },
          { name: 'login_lower', type: 'varchar', length: '30' },
          { name: 'email', type: 'varchar', length: '254' },
          { name: 'email_lower', type: 'varchar', length: '254' },
          { name: 'hashed_password', type: 'varchar', length: '255' },
          { name: 'is_active', type: 'boolean', default: true },
          { name: 'created_at', type: timestamp },
          { name: 'updated_at', type: timestamp },
        ],
        indices: [
          new TableIndex({
            name: 'ux_auth_info_login_lower',
            columnNames: ['login_lower'],
            isUnique: true,
          }),
          new TableIndex({
            name: 'ux_auth_info_email_lower',
            columnNames: ['email_lower'],
            isUnique: true,
          }),
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'roles',
        columns: [
          id,
          { name: 'name', type: 'varchar', length: '50' },
          { name: 'description', type: 'varchar', length: '255' },
        ],
        indices: [new TableIndex({ name: 'ux_roles_name', columnNames: ['name'], isUnique: true })],
      }),
    );
    await queryRunner.manager
      .createQueryBuilder()
      .insert()
      .into('roles', ['name', 'description'])
      .values([
        { name: 'user', description: 'Every account: its own profile and sessions' },
        { name: 'admin', description: 'Administers accounts' },
      ])
      .execute();

    await queryRunner.createTable(
      new Table({
        name: 'user_roles',
        columns: [
          { name: 'user_id', type: 'integer', isPrimary: true },
          { name: 'role_id', type: 'integer', isPrimary: true },
          { name: 'granted_at', type: timestamp },
        ],
        indices: [new TableIndex({ name: 'ix_user_roles_role_id', columnNames: ['role_id'] })],
        foreignKeys: [
          new TableForeignKey({
            columnNames: ['user_id'],
            referencedTableName: 'auth_info',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
          new TableForeignKey({
            columnNames: ['role_id'],
            referencedTableName: 'roles',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'token_blacklist',
        columns: [
          id,
          { name: 'jti', type: 'varchar', length: '64' },
          { name: 'user_id', type: 'integer' },
          { name: 'expires_at', type: timestamp },
          { name: 'blacklisted_at', type: timestamp },
        ],
        indices: [
          new TableIndex({ name: 'ix_token_blacklist_jti', columnNames: ['jti'], isUnique: true }),
          new TableIndex({ name: 'ix_token_blacklist_expires_at', columnNames: ['expires_at'] }),
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'sessions',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'user_id', type: 'integer' },
          { name: 'refresh_jti', type: 'varchar', length: '64' },
          { name: 'created_at', type: timestamp },
          { name: 'expires_at', type: timestamp },
          { name: 'revoked_at', type: timestamp, isNullable: true },
          { name: 'revoked_reason', type: 'varchar', length: '64', isNullable: true },
        ],
        indices: [
          new TableIndex({ name: 'ix_sessions_user_id', columnNames: ['user_id'] }),
          new TableIndex({ name: 'ix_sessions_expires_at', columnNames: ['expires_at'] }),
        ],
        foreignKeys: [
          new TableForeignKey({
            columnNames: ['user_id'],
            referencedTableName: 'auth_info',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'outbox',
        columns: [
          id,
          { name: 'message_id', type: 'varchar', length: '36' },
          { name: 'event_type', type: 'varchar', length: '64' },
          { name: 'aggregate_id', type: 'integer' },
          { name: 'payload', type: 'text' },
          { name: 'correlation_id', type: 'varchar', length: '128', isNullable: true },
          { name: 'created_at', type: timestamp },
          { name: 'sent_at', type: timestamp, isNullable: true },
          { name: 'attempts', type: 'integer', default: 0 },
          { name: 'last_error', type: 'text', isNullable: true },
        ],
        indices: [
          new TableIndex({
            name: 'ux_outbox_message_id',
            columnNames: ['message_id'],
            isUnique: true,
          }),
          new TableIndex({ name: 'ix_outbox_sent_at_id', columnNames: ['sent_at', 'id'] }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'outbox',
      'sessions',
      'token_blacklist',
      'user_roles',
      'roles',
      'auth_info',
    ]) {
      await queryRunner.dropTable(table);
    }
  }
}
