import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../support/infra.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const databases: { url: string; drop(): Promise<void> }[] = [];

beforeAll(async () => {
  databases.push(await createDatabase('migrate_auth'), await createDatabase('migrate_user'));
});
afterAll(async () => {
  for (const database of databases) await database.drop();
});

/** `node services/<service>/dist/cli/migrate.js` as the chart's hook Job runs it: production, the database alone. */
function migrateCommand(service: 'auth' | 'user', env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [`services/${service}/dist/cli/migrate.js`], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the migration commands', () => {
  it.each([
    ['auth', 0],
    ['user', 1],
  ] as const)(
    'When the %s migration runs with DATABASE_URL alone in production, then it migrates, and a second run finds nothing to do',
    async (service, i) => {
      const env = { DATABASE_URL: databases[i]!.url };
      const first = await migrateCommand(service, env);
      expect({ code: first.code, stderr: first.stderr }).toEqual({ code: 0, stderr: '' });
      expect(first.stdout).toMatch(new RegExp(`^${service}: applied InitialSchema`));
      const second = await migrateCommand(service, env);
      expect(second).toEqual({ code: 0, stdout: `${service}: schema is up to date\n`, stderr: '' });
    },
    60_000,
  );
});
