import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The `support` role (see ROLE_PERMISSIONS): reads an account's roles and ends its sessions. */
export class SupportRole1764158520000 implements MigrationInterface {
  name = 'SupportRole1764158520000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.manager
      .createQueryBuilder()
      .insert()
      .into('roles', ['name', 'description'])
      .values([{ name: 'support', description: "Reads an account's roles and ends its sessions" }])
      .execute();
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("DELETE FROM roles WHERE name = 'support'");
  }
}
