import { existsSync } from 'node:fs';
import { ConfigError } from '@platform/common';
import { loadUserConfig } from './config.js';
import { startUserService } from './service.js';

// The user service alone, configured only by its environment, as a container runs it.
if (existsSync('.env')) process.loadEnvFile('.env');
try {
  const service = await startUserService(loadUserConfig(process.env));
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
