import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger, InProcessBus } from '@platform/common';
import { loadAuthConfig, startAuthService, type AuthService } from '@platform/auth';
import { loadUserConfig, startUserService, type UserService } from '@platform/user';
import { client, type Client } from './http-client.js';

export interface Stack {
  auth: AuthService;
  user: UserService;
  bus: InProcessBus;
  authApi: Client;
  userApi: Client;
  /** The temporary folder with both databases and the auth service's development signing key. */
  dataDir: string;
  /** Waits until every event written so far has been published and consumed. */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

/** Test settings: fast argon2 (the production parameters are exercised by the password unit tests). */
export const TEST_ENV = {
  NODE_ENV: 'test',
  HOST: '127.0.0.1',
  PORT: '0',
  LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  ARGON2_MEMORY_KIB: '4096',
  ARGON2_TIME_COST: '1',
} as const;

/**
 * Both real services on port 0 with their own SQLite files in a temporary folder, joined by the
 * in-process bus, as the embedded default runs them.
 */
export async function startStack(env: Record<string, string> = {}): Promise<Stack> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'auth-user-test-'));
  const logger = createLogger({ service: 'test', level: TEST_ENV.LOG_LEVEL as 'silent' });
  const bus = new InProcessBus({ logger, retryDelayMs: 5 });
  const auth = await startAuthService(loadAuthConfig({ ...TEST_ENV, DATA_DIR: dataDir, ...env }), {
    bus,
    logger,
  });
  const user = await startUserService(
    loadUserConfig({
      ...TEST_ENV,
      DATA_DIR: dataDir,
      AUTH_JWKS_URL: `${auth.url}/.well-known/jwks.json`,
      ...env,
    }),
    { bus, logger },
  );
  return {
    auth,
    user,
    bus,
    authApi: client(auth.url),
    userApi: client(user.url),
    dataDir,
    settle: async () => {
      await auth.relay.flush();
      await bus.drained();
    },
    stop: async () => {
      await user.stop();
      await auth.stop();
      await bus.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
