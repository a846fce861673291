import {
  Table,
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
 * Passkeys: each account's WebAuthn user handle (random, opaque: neither its id nor its login), its
 * credentials with their public keys and sign counts, and the challenges of ceremonies in progress
 * (single use, short-lived, bound to a ceremony and, where one is known, an account).
 */
export class Passkeys1764763320000 implements MigrationInterface {
  name = 'Passkeys1764763320000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const timestamp = dialectOf(queryRunner).timestampColumn;

    await queryRunner.createTable(
      new Table({
        name: 'webauthn_user_handles',
        columns: [
          { name: 'user_id', type: 'integer', isPrimary: true },
          // 32 random bytes, base64url: what authenticators store as user.id and return.
          { name: 'user_handle', type: 'varchar', length: '64' },
          { name: 'created_at', type: timestamp },
        ],
        indices: [
          new TableIndex({
            name: 'ux_webauthn_user_handles_handle',
            columnNames: ['user_handle'],
            isUnique: true,
          }),
        ],
        foreignKeys: [ownedByAccount()],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'passkeys',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'user_id', type: 'integer' },
          // base64url of the credential id (at most 1023 bytes by WebAuthn §5.1).
          { name: 'credential_id', type: 'varchar', length: '1400' },
          // The COSE public key, base64url.
          { name: 'public_key', type: 'text' },
          // An unsigned 32-bit counter: more than a Postgres integer holds.
          { name: 'sign_count', type: 'bigint', default: 0 },
          // Comma-separated hints (internal, hybrid, usb, ...), as the browser reported them.
          { name: 'transports', type: 'varchar', length: '255', default: "''" },
          { name: 'name', type: 'varchar', length: '64' },
          { name: 'backed_up', type: 'boolean', default: false },
          // singleDevice | multiDevice (backup eligible)
          { name: 'device_type', type: 'varchar', length: '16' },
          { name: 'aaguid', type: 'varchar', length: '36' },
          { name: 'created_at', type: timestamp },
          { name: 'last_used_at', type: timestamp, isNullable: true },
        ],
        indices: [
          new TableIndex({
            name: 'ux_passkeys_credential_id',
            columnNames: ['credential_id'],
            isUnique: true,
          }),
          new TableIndex({ name: 'ix_passkeys_user_id', columnNames: ['user_id'] }),
        ],
        foreignKeys: [ownedByAccount()],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'webauthn_challenges',
        columns: [
          // A UUID: the challenge_id the client sends back with its answer.
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          // registration | login | second_factor
          { name: 'ceremony', type: 'varchar', length: '16' },
          // The account the ceremony is for; none for a passwordless login.
          { name: 'user_id', type: 'integer', isNullable: true },
          { name: 'challenge', type: 'varchar', length: '128' },
          { name: 'created_at', type: timestamp },
          { name: 'expires_at', type: timestamp },
          { name: 'used_at', type: timestamp, isNullable: true },
        ],
        indices: [
          new TableIndex({
            name: 'ix_webauthn_challenges_expires_at',
            columnNames: ['expires_at'],
          }),
        ],
        foreignKeys: [ownedByAccount()],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('webauthn_challenges');
    await queryRunner.dropTable('passkeys');
    await queryRunner.dropTable('webauthn_user_handles');
  }
}
