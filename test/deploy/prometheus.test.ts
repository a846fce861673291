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

const FULLNAME = 'rel-auth-user-platform';

describe.skipIf(!promtool)('Prometheus files checked by promtool', () => {
  const rule = named(renderChart({ values: [PRODUCTION_VALUES] }), 'PrometheusRule', FULLNAME);
  const rulesFile = path.join(tmp, 'rules.yaml');
  writeFileSync(rulesFile, stringify(rule.spec));
  const alert = (name: string) =>
    (rule.spec.groups[0].rules as Record<string, any>[]).find((r) => r.alert === name)!;

  it("When the chart's PrometheusRule is extracted, then promtool accepts its rules", () => {
    const { status, output } = check(['rules', rulesFile]);
    expect(output).toContain('SUCCESS: 7 rules found');
    expect(status).toBe(0);
  });

  it('When a mail waits too long or is given up, then MailsStuck and MailsFailing fire, and clear once it is over', () => {
    const fired = (name: string, labels: Record<string, string> = {}) => [
      {
        exp_labels: { severity: 'warning', ...labels },
        exp_annotations: alert(name).annotations,
      },
    ];
    const series = (metric: string, labels: string, values: string) => ({
      series: `${metric}{namespace="platform", job="${FULLNAME}-courier"${labels}}`,
      values,
    });
    const tests = {
      rule_files: [rulesFile],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: [
            // The oldest mail ages a minute a minute for 30 minutes, then the queue drains.
            series('auth_mail_queue_oldest_age_seconds', '', '0+60x30 0x30'),
            // One mail given up in minute 5, none after.
            series('auth_mails_total', ', outcome="failed"', '0x4 1x55'),
            series('auth_mails_total', ', outcome="sent"', '0+3x60'),
          ],
          alert_rule_test: [
            // Above 600 s from minute 11: pending for 10 minutes first.
            { eval_time: '15m', alertname: 'MailsStuck', exp_alerts: [] },
            { eval_time: '25m', alertname: 'MailsStuck', exp_alerts: fired('MailsStuck') },
            { eval_time: '45m', alertname: 'MailsStuck', exp_alerts: [] },
            { eval_time: '3m', alertname: 'MailsFailing', exp_alerts: [] },
            { eval_time: '10m', alertname: 'MailsFailing', exp_alerts: fired('MailsFailing') },
            { eval_time: '30m', alertname: 'MailsFailing', exp_alerts: [] },
          ],
        },
      ],
    };
    const file = path.join(tmp, 'mail-alerts.test.yaml');
    writeFileSync(file, stringify(tests));
    const run = spawnSync('promtool', ['test', 'rules', file], { encoding: 'utf8' });
    expect(`${run.stdout}${run.stderr}`).toContain('SUCCESS');
    expect(run.status).toBe(0);
  });

  it('When a cleanup Job fails and a later run succeeds, then CleanupJobFailing fires and then clears', () => {
    const job = (name: string) => `namespace="platform", job_name="${FULLNAME}-cleanup-${name}"`;
    const fired = [
      {
        exp_labels: { severity: 'warning' },
        exp_annotations: alert('CleanupJobFailing').annotations,
      },
    ];
    const tests = {
      rule_files: [rulesFile],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          // kube-state-metrics' series of the CronJob's Jobs; the failed Job stays in the history
          // (failedJobsHistoryLimit) after the later run succeeds.
          input_series: [
            // Run 1 starts at minute 1 and succeeds.
            { series: `kube_job_status_start_time{${job('1')}}`, values: '_ 60x80' },
            { series: `kube_job_complete{${job('1')}, condition="true"}`, values: '_x2 1x78' },
            // Run 2 starts at minute 10 and fails for good at minute 12.
            { series: `kube_job_status_start_time{${job('2')}}`, values: '_x10 600x70' },
            { series: `kube_job_status_failed{${job('2')}}`, values: '_x10 1x70' },
            { series: `kube_job_failed{${job('2')}, condition="true"}`, values: '_x12 1x68' },
            // Run 3 starts at minute 40, a pod of it fails, its retry succeeds at minute 42.
            { series: `kube_job_status_start_time{${job('3')}}`, values: '_x40 2400x40' },
            { series: `kube_job_status_failed{${job('3')}}`, values: '_x41 1x39' },
            { series: `kube_job_complete{${job('3')}, condition="true"}`, values: '_x42 1x38' },
          ],
          alert_rule_test: [
            { eval_time: '11m', alertname: 'CleanupJobFailing', exp_alerts: [] },
            { eval_time: '20m', alertname: 'CleanupJobFailing', exp_alerts: fired },
            { eval_time: '41m', alertname: 'CleanupJobFailing', exp_alerts: fired },
            { eval_time: '45m', alertname: 'CleanupJobFailing', exp_alerts: [] },
            { eval_time: '75m', alertname: 'CleanupJobFailing', exp_alerts: [] },
          ],
        },
        {
          interval: '1m',
          // The very first run fails: there is no success to compare with.
          input_series: [
            { series: `kube_job_status_start_time{${job('1')}}`, values: '60x30' },
            { series: `kube_job_failed{${job('1')}, condition="true"}`, values: '_x2 1x28' },
          ],
          alert_rule_test: [
            { eval_time: '4m', alertname: 'CleanupJobFailing', exp_alerts: [] },
            { eval_time: '10m', alertname: 'CleanupJobFailing', exp_alerts: fired },
          ],
        },
      ],
    };
    const file = path.join(tmp, 'cleanup-alert.test.yaml');
    writeFileSync(file, stringify(tests));
    const run = spawnSync('promtool', ['test', 'rules', file], { encoding: 'utf8' });
    expect(`${run.stdout}${run.stderr}`).toContain('SUCCESS');
    expect(run.status).toBe(0);
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
