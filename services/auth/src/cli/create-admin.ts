import { parseArgs } from 'node:util';
import { ConfigError, createLogger, InProcessBus } from '@platform/common';
import { loadAuthConfig } from '../config.js';
import { ensureAdmin } from '../accounts/registration.js';
import { buildAuthService } from '../service.js';

// npm run create-admin -- --login admin --email admin@example.com [--password ...] [--display-name ...]
// Creates the administrator (or grants the admin role to an existing login) in the configured database.
// The password may come from ADMIN_PASSWORD instead of the command line, which other users can see.
const usage =
  'Usage: npm run create-admin -- --login <login> --email <email> [--password <password>] [--display-name <name>]\n' +
  'The password may also be given in ADMIN_PASSWORD. The database is the one DATABASE_URL (or DATA_DIR) names.';

try {
  const { values } = parseArgs({
    options: {
      login: { type: 'string' },
      email: { type: 'string' },
      password: { type: 'string' },
      'display-name': { type: 'string', default: 'Administrator' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const password = values.password ?? process.env.ADMIN_PASSWORD;
  if (values.help || !values.login || !values.email || !password) {
    console.error(usage);
    process.exit(values.help ? 0 : 2);
  }
  const config = loadAuthConfig(process.env);
  const logger = createLogger({ service: 'create-admin', level: 'warn' });
  // The event is written to the outbox; the running auth service's relay publishes it.
  const { dataSource, deps } = await buildAuthService(config, new InProcessBus({ logger }), logger);
  try {
    const { account, created } = await ensureAdmin(deps, {
      login: values.login,
      email: values.email,
      password,
      displayName: values['display-name'],
    });
    console.log(
      `${created ? 'Created' : 'Granted the admin role to'} account ${account.id} (${account.login}); roles: ${account.roles.join(', ')}`,
    );
  } finally {
    await dataSource.destroy();
  }
} catch (err) {
  const message =
    err instanceof ConfigError ? err.message : err instanceof Error ? err.message : String(err);
  console.error(`create-admin failed: ${message}`);
  const fields = (err as { errors?: { field: string; message: string }[] }).errors;
  for (const e of fields ?? []) console.error(`  ${e.field} ${e.message}`);
  process.exit(1);
}
