import { existsSync } from 'node:fs';
import { ConfigError, onShutdown } from '@platform/common';
import { loadUserConfig } from './config.js';
import { startUserService } from './service.js';

// The user service alone, configured only by its environment, as a container runs it.
if (existsSync('.env')) process.loadEnvFile('.env');
try {
  const config = loadUserConfig(process.env);
  const service = await startUserService(config);
  onShutdown({ logger: service.deps.logger, graceMs: config.shutdownGraceMs, stop: service.stop });
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
}
