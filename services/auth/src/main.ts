import { existsSync } from 'node:fs';
import { ConfigError, onShutdown } from '@platform/common';
import { loadAuthConfig } from './config.js';
import { startAuthService } from './service.js';

// The auth service alone, configured only by its environment, as a container runs it.
if (existsSync('.env')) process.loadEnvFile('.env');
try {
  const config = loadAuthConfig(process.env);
  const service = await startAuthService(config);
  onShutdown({ logger: service.deps.logger, graceMs: config.shutdownGraceMs, stop: service.stop });
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
}
