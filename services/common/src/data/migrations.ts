import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';

/**
 * The embedded default migrates at start-up; production runs `npm run migrate` as a deployment step
 * and a service that finds migrations pending refuses to start rather than run on the wrong schema.
 */
export async function prepareSchema(
  dataSource: DataSource,
  migrateOnStart: boolean,
  logger: Logger,
): Promise<void> {
  if (migrateOnStart) {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    if (applied.length > 0)
      logger.info({ migrations: applied.map((m) => m.name) }, 'migrations applied');
    return;
  }
  if (await dataSource.showMigrations()) {
    throw new Error(
      'The database has pending migrations; run `npm run migrate` (MIGRATE_ON_START is false).',
    );
  }
}

/** Applies pending migrations and reports them; the body of each service's migrate command. */
export async function migrate(dataSource: DataSource): Promise<string[]> {
  await dataSource.initialize();
  try {
    return (await dataSource.runMigrations({ transaction: 'each' })).map((m) => m.name);
  } finally {
    await dataSource.destroy();
  }
}
