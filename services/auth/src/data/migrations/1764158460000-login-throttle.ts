import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { dialectOf } from '@platform/common';

/**
 * Brute-force counters shared by the replicas: failure counters per account, IP and both, per-IP rate
 * counters and used challenge solutions, each a row by `key` (see PostgresThrottleStore). The embedded
 * default keeps them in memory and leaves this table empty.
 */
export class LoginThrottle1764158460000 implements MigrationInterface {
  name = 'LoginThrottle1764158460000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const timestamp = dialectOf(queryRunner).timestampColumn;
    await queryRunner.createTable(
      new Table({
        name: 'login_throttle',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'key', type: 'text' },
          { name: 'failures', type: 'integer', default: 0 },
          { name: 'locked_until', type: timestamp, isNullable: true },
          { name: 'expires_at', type: timestamp },
        ],
        indices: [
          new TableIndex({ name: 'ux_login_throttle_key', columnNames: ['key'], isUnique: true }),
          new TableIndex({ name: 'ix_login_throttle_expires_at', columnNames: ['expires_at'] }),
        ],
      }),
    );
    // Counters are worth less than the WAL flush each update would cost on the login path. Unlogged,
    // the table is emptied by crash recovery and not copied to standbys: after a crash or a failover
    // every counter starts again, which no client can cause. (SQLite has no such table kind.)
    const unlogged = { postgres: ['ALTER TABLE login_throttle SET UNLOGGED'], sqlite: [] };
    for (const sql of dialectOf(queryRunner).pick(unlogged)) await queryRunner.query(sql);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('login_throttle');
  }
}
