import {
  Table,
  TableColumn,
  TableForeignKey,
  TableIndex,
  type MigrationInterface,
  type QueryRunner,
} from 'typeorm';
import { dialectOf } from '@platform/common';

/**
 * Account recovery and verified email: whether an account's address is proven and the language of
 * its mails; the single-use tokens sent in mails (only their hashes); the forgot-password requests
 * waiting to be resolved; and the mail queue the courier delivers from.
 */
export class AccountRecovery1764676800000 implements MigrationInterface {
  name = 'AccountRecovery1764676800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const timestamp = dialectOf(queryRunner).timestampColumn;
    const id = {
      name: 'id',
      type: 'integer',
      isPrimary: true,
      isGenerated: true,
      generationStrategy: 'increment' as const,
    };

    await queryRunner.addColumns('auth_info', [
      new TableColumn({ name: 'email_verified', type: 'boolean', default: false }),
      new TableColumn({ name: 'locale', type: 'varchar', length: '8', default: "'en'" }),
    ]);

    await queryRunner.createTable(
      new Table({
        name: 'mail_tokens',
        columns: [
          id,
          { name: 'user_id', type: 'integer' },
          // reset | verify | email_change
          { name: 'purpose', type: 'varchar', length: '16' },
          // SHA-256 of the token, hex: the token itself is only ever in the mail.
          { name: 'token_hash', type: 'varchar', length: '64' },
          // The address the token was sent to, as typed: the token is good for it alone.
          { name: 'email', type: 'varchar', length: '254' },
          { name: 'created_at', type: timestamp },
          { name: 'expires_at', type: timestamp },
          { name: 'ended_at', type: timestamp, isNullable: true },
          // used | superseded | password_changed | email_changed
          { name: 'end_reason', type: 'varchar', length: '32', isNullable: true },
        ],
        indices: [
          new TableIndex({
            name: 'ux_mail_tokens_token_hash',
            columnNames: ['token_hash'],
            isUnique: true,
          }),
          new TableIndex({
            name: 'ix_mail_tokens_user_purpose',
            columnNames: ['user_id', 'purpose'],
          }),
          new TableIndex({ name: 'ix_mail_tokens_expires_at', columnNames: ['expires_at'] }),
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
        name: 'password_reset_requests',
        columns: [
          id,
          { name: 'email_lower', type: 'varchar', length: '254' },
          { name: 'ip', type: 'varchar', length: '64', isNullable: true },
          { name: 'request_id', type: 'varchar', length: '128', isNullable: true },
          { name: 'created_at', type: timestamp },
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'mail_queue',
        columns: [
          id,
          // Which template it was rendered from (metrics, logs); never the body.
          { name: 'template', type: 'varchar', length: '40' },
          { name: 'to_address', type: 'varchar', length: '254' },
          { name: 'subject', type: 'varchar', length: '255' },
          // Deleted once the mail is delivered (or given up on): a body may hold a token.
          { name: 'text_body', type: 'text', isNullable: true },
          { name: 'html_body', type: 'text', isNullable: true },
          { name: 'correlation_id', type: 'varchar', length: '128', isNullable: true },
          { name: 'created_at', type: timestamp },
          { name: 'attempts', type: 'integer', default: 0 },
          { name: 'next_attempt_at', type: timestamp },
          // A courier that claimed the mail holds it until then; past it another may take it.
          { name: 'lease_until', type: timestamp, isNullable: true },
          { name: 'sent_at', type: timestamp, isNullable: true },
          { name: 'failed_at', type: timestamp, isNullable: true },
          { name: 'last_error', type: 'varchar', length: '1000', isNullable: true },
        ],
        indices: [
          new TableIndex({
            name: 'ix_mail_queue_due',
            columnNames: ['next_attempt_at'],
            where: 'sent_at IS NULL AND failed_at IS NULL',
          }),
          new TableIndex({ name: 'ix_mail_queue_sent_at', columnNames: ['sent_at'] }),
          new TableIndex({ name: 'ix_mail_queue_failed_at', columnNames: ['failed_at'] }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('mail_queue');
    await queryRunner.dropTable('password_reset_requests');
    await queryRunner.dropTable('mail_tokens');
    await queryRunner.dropColumn('auth_info', 'locale');
    await queryRunner.dropColumn('auth_info', 'email_verified');
  }
}
