import { existsSync } from 'node:fs';
import { ConfigError } from '@platform/common';
import { loadAuthConfig } from './config.js';
import { startAuthService } from './service.js';

// The auth service alone, configured only by its environment, as a container runs it.
if (existsSync('.env')) process.loadEnvFile('.env');
try {
  const service = await startAuthService(loadAuthConfig(process.env));
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      void service.stop().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
}
