import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Global setup of the infra project: its stacks run `node services/<name>/dist/main.js`, so the
 * services (and the shared library they import) are built once, before any file starts, and never run
 * from a stale dist/. The build is incremental: with nothing changed it takes a moment.
 */
export default function setup(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const started = Date.now();
  const build = spawnSync(process.execPath, [tsc, '-b', 'services/auth', 'services/user'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (build.status !== 0) {
    throw new Error(
      `Building the services for the infra tests failed (tsc -b services/auth services/user):\n` +
        `${build.stdout}${build.stderr}${build.error ? String(build.error) : ''}`,
    );
  }
  if (process.env.TEST_LOG_LEVEL) {
    console.info(`infra: services built in ${Date.now() - started} ms`);
  }
}
