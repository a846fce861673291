import { ConfigError, migrate } from '@platform/common';
import { loadDatabaseConfig } from '../config.js';
import { authDataSource } from '../data/data-source.js';

// npm run migrate:auth — applies the auth service's pending migrations to DATABASE_URL. It reads the
// database settings alone, so the migration Job needs no signing keys or mail settings.
try {
  const config = loadDatabaseConfig(process.env);
  const applied = await migrate(authDataSource(config.databaseUrl, { poolSize: 1 }));
  console.log(
    applied.length > 0 ? `auth: applied ${applied.join(', ')}` : 'auth: schema is up to date',
  );
} catch (err) {
  console.error(`auth migration failed: ${err instanceof ConfigError ? err.message : String(err)}`);
  process.exit(1);
}
