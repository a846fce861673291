import { ConfigError, migrate } from '@platform/common';
import { loadUserConfig } from '../config.js';
import { userDataSource } from '../data/store.js';

// npm run migrate:user — applies the user service's pending migrations to DATABASE_URL.
try {
  const config = loadUserConfig(process.env);
  const applied = await migrate(userDataSource(config.databaseUrl, { poolSize: 1 }));
  console.log(
    applied.length > 0 ? `user: applied ${applied.join(', ')}` : 'user: schema is up to date',
  );
} catch (err) {
  console.error(`user migration failed: ${err instanceof ConfigError ? err.message : String(err)}`);
  process.exit(1);
}
