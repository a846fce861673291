import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { named, PRODUCTION_VALUES, REPO, renderChart } from './helm.js';

// promtool comes with Debian's prometheus package (scripts/ensure-promtool.sh installs it).
const promtool = spawnSync('promtool', ['--version'], { encoding: 'utf8' }).status === 0;
if (!promtool) {
  if (process.env.CI)
    throw new Error('promtool is required in CI: run bash scripts/ensure-promtool.sh');
  console.warn(
    'SKIPPED: the promtool checks of the chart rules (run bash scripts/ensure-promtool.sh)',
  );
}
const tmp = mkdtempSync(path.join(tmpdir(), 'promtool-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const check = (args: string[]) => {
  const run = spawnSync('promtool', ['check', ...args], { encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
};

describe.skipIf(!promtool)('Prometheus files checked by promtool', () => {
  it("When the chart's PrometheusRule is extracted, then promtool accepts its rules", () => {
    const rule = named(
      renderChart({ values: [PRODUCTION_VALUES] }),
      'PrometheusRule',
      'rel-auth-user-platform',
    );
    const file = path.join(tmp, 'rules.yaml');
    writeFileSync(file, stringify(rule.spec));
    const { status, output } = check(['rules', file]);
    expect(output).toContain('SUCCESS: 5 rules found');
    expect(status).toBe(0);
  });

  it("When compose's Prometheus configuration is checked, then promtool accepts it", () => {
    const { status, output } = check([
      'config',
      '--syntax-only',
      `${REPO}deploy/prometheus/prometheus.yml`,
    ]);
    expect(output).toContain('SUCCESS');
    expect(status).toBe(0);
  });
});
