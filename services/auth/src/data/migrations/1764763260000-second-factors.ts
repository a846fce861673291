import {
  Table,
  TableColumn,
  TableForeignKey,
  TableIndex,
  type MigrationInterface,
  type QueryRunner,
} from 'typeorm';
import { dialectOf } from '@platform/common';

const ownedByAccount = () =>
  new TableForeignKey({
    columnNames: ['user_id'],
    referencedTableName: 'auth_info',
    referencedColumnNames: ['id'],
    onDelete: 'CASCADE',
  });

/**
 * Second factors: an account's TOTP authenticator (its secret sealed, the last time step used), its
 * recovery codes (only their hashes), the single-use tokens of logins waiting for a second factor,
 * and how each session was proven (`amr`, `aal`). Sessions from before it were proven by a password.
 */
export class SecondFactors1764763260000 implements MigrationInterface {
  name = 'SecondFactors1764763260000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const timestamp = dialectOf(queryRunner).timestampColumn;
    const id = {
      name: 'id',
      type: 'integer',
      isPrimary: true,
      isGenerated: true,
      generationStrategy: 'increment' as const,
    };

    await queryRunner.addColumns('sessions', [
      new TableColumn({ name: 'amr', type: 'varchar', length: '64', default: "'pwd'" }),
      new TableColumn({ name: 'aal', type: 'integer', default: 1 }),
    ]);

    await queryRunner.createTable(
      new Table({
        name: 'totp_factors',
        columns: [
          { name: 'user_id', type: 'integer', isPrimary: true },
          { name: 'secret_sealed', type: 'varchar', length: '255' },
          { name: 'created_at', type: timestamp },
          { name: 'confirmed_at', type: timestamp, isNullable: true },
          { name: 'last_step', type: 'integer', isNullable: true },
        ],
        foreignKeys: [ownedByAccount()],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'recovery_codes',
        columns: [
          id,
          { name: 'user_id', type: 'integer' },
          { name: 'kid', type: 'varchar', length: '32' },
          // HMAC-SHA-256 of the account id and the code, hex.
          { name: 'code_hash', type: 'varchar', length: '64' },
          { name: 'created_at', type: timestamp },
          { name: 'used_at', type: timestamp, isNullable: true },
        ],
        indices: [new TableIndex({ name: 'ix_recovery_codes_user', columnNames: ['user_id'] })],
        foreignKeys: [ownedByAccount()],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'mfa_tokens',
        columns: [
          id,
          // SHA-256 of the token, hex: the token itself is only ever in the answer to the login.
          { name: 'token_hash', type: 'varchar', length: '64' },
          { name: 'user_id', type: 'integer' },
          // login | enrol
          { name: 'purpose', type: 'varchar', length: '16' },
          { name: 'created_at', type: timestamp },
          { name: 'expires_at', type: timestamp },
          { name: 'used_at', type: timestamp, isNullable: true },
        ],
        indices: [
          new TableIndex({
            name: 'ux_mfa_tokens_token_hash',
            columnNames: ['token_hash'],
            isUnique: true,
          }),
          new TableIndex({ name: 'ix_mfa_tokens_expires_at', columnNames: ['expires_at'] }),
          new TableIndex({ name: 'ix_mfa_tokens_user', columnNames: ['user_id'] }),
        ],
        foreignKeys: [ownedByAccount()],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('mfa_tokens');
    await queryRunner.dropTable('recovery_codes');
    await queryRunner.dropTable('totp_factors');
    await queryRunner.dropColumn('sessions', 'aal');
    await queryRunner.dropColumn('sessions', 'amr');
  }
}
