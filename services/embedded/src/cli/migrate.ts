import { ConfigError, migrate } from '@platform/common';
import { authDataSource, loadAuthConfig } from '@platform/auth';

import { loadUserConfig, userDataSource } from '@platform/user';

import { embeddedEnv } from '../embedded-env.js';

// npm run migrate — applies both services' pending migrations (AUTH_/USER_DATABASE_URL, or the SQLite
// files of the embedded default).
try {
  const env = embeddedEnv(process.env);
  const auth = loadAuthConfig(env.auth);
  const user = loadUserConfig(env.user);
  for (const [name, dataSource] of [
    ['auth', authDataSource(auth.databaseUrl, { poolSize: 1 })],
    ['user', userDataSource(user.databaseUrl, { poolSize: 1 })],
  ] as const) {
    const applied = await migrate(dataSource);
    console.log(
      applied.length > 0
        ? `${name}: applied ${applied.join(', ')}`
        : `${name}: schema is up to date`,
    );
  }
} catch (err) {
  console.error(`migration failed: ${err instanceof ConfigError ? err.message : String(err)}`);
  process.exit(1);
}
