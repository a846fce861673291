#!/usr/bin/env node
// Runs the whole test suite with vitest and ends with the totals on a line of their own:
// `N passed, N failed[, N skipped]`, counted over every project (embedded, and infra when Postgres and
// RabbitMQ are reachable); the line before it gives each project's share. Extra arguments go to
// vitest (a file filter, `-t name`, `--project embedded`, ...).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const report = 'test-results/vitest.json';
const projectReport = 'test-results/projects.json';
mkdirSync('test-results', { recursive: true });
rmSync(report, { force: true });
rmSync(projectReport, { force: true });
// vitest's own entry under this Node (not through npx, which would inherit an outer npx's settings).
const vitest = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url));
const run = spawnSync(
  process.execPath,
  [
    vitest,
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
    '--reporter=./scripts/vitest-project-totals.mjs',
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit' },
);
let totals;
try {
  const json = JSON.parse(readFileSync(report, 'utf8'));
  totals = {
    passed: json.numPassedTests,
    failed:
      json.numFailedTests +
      (json.numRuntimeErrorTestSuites ?? 0) +
      (json.success || json.numFailedTests > 0 ? 0 : 1),
    skipped: json.numPendingTests + json.numTodoTests,
  };
} catch {
  totals = { passed: 0, failed: 1, skipped: 0 };
  console.error('The test run produced no report; counting it as one failure.');
}
try {
  const { projects, skipped } = JSON.parse(readFileSync(projectReport, 'utf8'));
  const parts = Object.entries(projects).map(
    ([name, t]) =>
      `${name}: ${t.passed} passed, ${t.failed} failed${t.skipped > 0 ? `, ${t.skipped} skipped` : ''} (${t.files} files)`,
  );
  for (const [name, reason] of Object.entries(skipped)) parts.push(`${name}: SKIPPED (${reason})`);
  console.log(parts.join(' | '));
} catch {
  // No per-project report (the run failed early); the totals below say so.
}
const skipped = totals.skipped > 0 ? `, ${totals.skipped} skipped` : '';
console.log(`${totals.passed} passed, ${totals.failed} failed${skipped}`);
process.exit(run.status === 0 && totals.failed === 0 ? 0 : 1);
