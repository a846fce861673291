import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { dialectOf } from '@platform/common';

/**
 * What a user is shown of their sessions (the client's address and User-Agent, when the session was
 * last refreshed), and what answers a rotated refresh token again within the reuse interval: the
 * token it was rotated from and the access token issued with the current one. Only ids are stored,
 * never a token.
 */
export class SessionDetails1764763200000 implements MigrationInterface {
  name = 'SessionDetails1764763200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const timestamp = dialectOf(queryRunner).timestampColumn;
    await queryRunner.addColumns('sessions', [
      // The address of the last sign-in or refresh, as the audit trail records it.
      new TableColumn({ name: 'ip', type: 'varchar', length: '64', isNullable: true }),
      // The User-Agent of the sign-in, cut to 512 characters.
      new TableColumn({ name: 'user_agent', type: 'varchar', length: '512', isNullable: true }),
      // The last rotation; null until the session is first refreshed.
      new TableColumn({ name: 'refreshed_at', type: timestamp, isNullable: true }),
      // The jti the current refresh token replaced (the reuse interval answers it again).
      new TableColumn({
        name: 'previous_refresh_jti',
        type: 'varchar',
        length: '64',
        isNullable: true,
      }),
      // The jti of the access token issued with the current refresh token.
      new TableColumn({ name: 'access_jti', type: 'varchar', length: '64', isNullable: true }),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const column of ['access_jti', 'previous_refresh_jti', 'refreshed_at', 'user_agent', 'ip'])
      await queryRunner.dropColumn('sessions', column);
  }
}
