import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dialectOf, type DialectName } from '@platform/common';

/** The columns an erasure never changes: the record stays what happened, when, to and by whom. */
const FIXED = [
  'id',
  'occurred_at',
  'action',
  'outcome',
  'reason',
  'user_id',
  'actor_id',
  'request_id',
  'details',
];

/**
 * The one change the append-only audit trail allows: an erasure's pseudonymisation. Every other
 * column stays; the login of a record about an account may become a pseudonym (`erased:...`) once
 * that account is gone, and the client address may become null once the account that sent the
 * request (the actor, else the account itself) is gone.
 */
function erasureOnly(same: (column: string) => string): string {
  return `(${FIXED.map(same).join(' AND ')}
     AND (${same('login')}
          OR (NEW.login LIKE 'erased:%' AND OLD.login IS NOT NULL AND OLD.login NOT LIKE 'erased:%'
              AND OLD.user_id IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM auth_info a WHERE a.id = OLD.user_id)))
     AND (${same('ip')}
          OR (NEW.ip IS NULL AND COALESCE(OLD.actor_id, OLD.user_id) IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM auth_info a
                               WHERE a.id = COALESCE(OLD.actor_id, OLD.user_id)))))`;
}

/** A column unchanged by the UPDATE (null-safe). */
const SAME: Readonly<Record<DialectName, (column: string) => string>> = {
  postgres: (column) => `NEW.${column} IS NOT DISTINCT FROM OLD.${column}`,
  sqlite: (column) => `NEW.${column} IS OLD.${column}`,
};

const ERASURE_ONLY = {
  postgres: [
    `CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       IF TG_OP = 'UPDATE' AND ${erasureOnly(SAME.postgres)} THEN
         RETURN NEW;
       END IF;
       RAISE EXCEPTION 'audit_log is append-only';
     END $$`,
  ],
  sqlite: [
    'DROP TRIGGER audit_log_no_update',
    `CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
     WHEN NOT ${erasureOnly(SAME.sqlite)}
     BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END`,
  ],
};

const APPEND_ONLY = {
  postgres: [
    `CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       RAISE EXCEPTION 'audit_log is append-only';
     END $$`,
  ],
  sqlite: [
    'DROP TRIGGER audit_log_no_update',
    `CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
     BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END`,
  ],
};

/**
 * Erasure: the audit trail's triggers let an erased account's records be pseudonymised, and refuse
 * every other UPDATE, and every DELETE and TRUNCATE, as before.
 */
export class AuditErasure1764849600000 implements MigrationInterface {
  name = 'AuditErasure1764849600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const sql of dialectOf(queryRunner).pick(ERASURE_ONLY)) await queryRunner.query(sql);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const sql of dialectOf(queryRunner).pick(APPEND_ONLY)) await queryRunner.query(sql);
  }
}
