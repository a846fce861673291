import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { createLogger, InProcessBus } from '@platform/common';
import { loadAuthConfig, startAuthService } from '@platform/auth';
import { createUserMetrics, loadUserConfig, startUserService } from '@platform/user';
import { client } from './http-client.js';
import { TEST_ENV, type SigningKey, type Stack, type StackDatabase } from './stack.js';

/**
 * Both real services on port 0 with their own SQLite files in a temporary folder, joined by the
 * in-process bus, as the embedded default runs them.
 */
export async function startEmbeddedStack(env: Record<string, string>): Promise<Stack> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'auth-user-test-'));
  const logger = createLogger({ service: 'test', level: TEST_ENV.LOG_LEVEL as 'silent' });
  // As the embedded default does: the shared bus reports its retries and dead letters to the user service.
  const userMetrics = createUserMetrics();
  const bus = new InProcessBus({
    logger,
    retryDelayMs: 5,
    maxAttempts: Number(env.EVENT_MAX_ATTEMPTS ?? TEST_ENV.EVENT_MAX_ATTEMPTS),
    observer: userMetrics.bus,
  });
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
    { bus, logger, metrics: userMetrics },
  );
  // The development key the auth service created (or found) in DATA_DIR and signs with.
  const signingKey = JSON.parse(
    await readFile(path.join(dataDir, 'dev-signing-key.json'), 'utf8'),
  ) as SigningKey;
  return {
    mode: 'embedded',
    authApi: client(auth.url),
    userApi: client(user.url),
    signingKey,
    authDb: database(auth.dataSource),
    userDb: database(user.dataSource),
    publishRaw: async (payload, opts = {}) => {
      const id = opts.id ?? randomUUID();
      const type = opts.type ?? String((payload as { event_type?: unknown } | null)?.event_type);
      await bus.publish({ id, type, timestamp: new Date(), payload });
      return id;
    },
    drained: () => bus.drained(),
    deadLetters: () =>
      Promise.resolve(bus.deadLetters.map((d) => ({ id: d.message.id, reason: d.reason }))),
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

/** SQLite takes `?` placeholders as they are; statements that return no rows give an empty list. */
function database(dataSource: DataSource): StackDatabase {
  return {
    query: async <T>(sql: string, params: unknown[] = []) => {
      const raw: unknown = await dataSource.query(sql, params);
      return { rows: (Array.isArray(raw) ? raw : []) as T[] };
    },
  };
}
