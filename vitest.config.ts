import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';
import { AMQP_URL, infraReachable, POSTGRES_URL } from './test/support/infra.js';

const src = (service: string) =>
  fileURLToPath(new URL(`./services/${service}/src/index.ts`, import.meta.url));

/** Tests that run a stack: both services, their databases and the bus between them. */
const STACK_TESTS = [
  'services/*/test/**/*.test.ts',
  'client/test/**/*.test.ts',
  'test/e2e/**/*.test.ts',
];
/** Fault injection against the production shape only (Postgres, RabbitMQ, separate processes). */
const FAULT_TESTS = ['test/faults/**/*.test.ts'];
/** The built container images (podman), on the machine's Postgres and RabbitMQ. */
const IMAGE_TESTS = ['test/deploy/images.test.ts'];

/** The embedded default: unit tests and the stack tests, both services in-process on SQLite. */
const embedded: TestProjectInlineConfiguration = {
  extends: true,
  test: {
    name: 'embedded',
    include: ['services/*/src/**/*.test.ts', 'test/**/*.test.ts', ...STACK_TESTS],
    exclude: [...configDefaults.exclude, ...FAULT_TESTS, ...IMAGE_TESTS],
    env: { STACK_MODE: 'embedded' },
  },
};

/**
 * The production shape: the same stack tests (and the fault tests and the image tests) with each
 * service a separate `node dist/main.js` process (or container) on Postgres, joined by RabbitMQ. Its
 * files run one at a time, after the embedded project: a fault test stops the shared broker, which no
 * other stack may see, and on a small machine six service processes at once only make every file
 * slower.
 */
const infra: TestProjectInlineConfiguration = {
  extends: true,
  test: {
    name: 'infra',
    include: [...STACK_TESTS, ...FAULT_TESTS, ...IMAGE_TESTS],
    env: { STACK_MODE: 'infra' },
    globalSetup: ['test/support/infra-setup.ts'],
    fileParallelism: false,
  },
};

export default defineConfig(async () => {
  const reachable = await infraReachable();
  const down = [
    ...(reachable.postgres ? [] : [`PostgreSQL at ${redact(POSTGRES_URL)}`]),
    ...(reachable.rabbitmq ? [] : [`RabbitMQ at ${redact(AMQP_URL)}`]),
  ];
  if (down.length > 0) {
    const lines = [
      `Not reachable: ${down.join(', ')}.`,
      'The Postgres/RabbitMQ test project ("infra") needs both: start them (scripts/ensure-services.sh),',
      'or point TEST_POSTGRES_URL / TEST_AMQP_URL at running ones.',
    ];
    if (process.env.CI) {
      throw new Error(`${lines.join('\n')}\nCI is set, so the run fails instead of skipping them.`);
    }
    // For scripts/test.mjs's summary (read by scripts/vitest-project-totals.mjs in this process).
    process.env.VITEST_SKIPPED_PROJECTS = JSON.stringify({
      infra: `not reachable: ${down.join(', ')}`,
    });
    console.warn(
      banner([
        'WARNING: THE POSTGRES/RABBITMQ SUITES WERE SKIPPED.',
        ...lines,
        'Only the embedded project (SQLite, in-process bus) runs now; this is NOT a full test run.',
      ]),
    );
  }
  return {
    resolve: {
      // Tests run against the TypeScript sources, not a stale build.
      alias: {
        '@platform/common': src('common'),
        '@platform/auth': src('auth'),
        '@platform/user': src('user'),
        '@platform/embedded': src('embedded'),
      },
    },
    test: {
      testTimeout: 30_000,
      hookTimeout: 60_000,
      pool: 'forks',
      projects: down.length === 0 ? [embedded, infra] : [embedded],
    },
  };
});

/** A URL without its password, for messages. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}

function banner(lines: string[]): string {
  const width = Math.max(...lines.map((l) => l.length));
  const rule = '!'.repeat(width + 4);
  return ['', rule, ...lines.map((l) => `! ${l.padEnd(width)} !`), rule, ''].join('\n');
}
