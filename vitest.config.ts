import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (service: string) =>
  fileURLToPath(new URL(`./services/${service}/src/index.ts`, import.meta.url));

export default defineConfig({
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
    include: ['services/*/src/**/*.test.ts', 'services/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
