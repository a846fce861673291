import { spawn, spawnSync } from 'node:child_process';

/** One sample of a text exposition: `name{labels} value`. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** GET <baseUrl>/metrics, checked to be the text exposition format. */
export async function scrape(baseUrl: string): Promise<string> {
  const res = await fetch(`${baseUrl}/metrics`);
  if (res.status !== 200) throw new Error(`GET ${baseUrl}/metrics answered ${res.status}`);
  const type = res.headers.get('content-type') ?? '';
  if (!type.startsWith('text/plain; version=0.0.4')) {
    throw new Error(`GET ${baseUrl}/metrics has content type "${type}"`);
  }
  return res.text();
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseSamples(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, name, value] of (match[2] ?? '').matchAll(LABEL)) {
      labels[name!] = value!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/**
 * The sum of the samples of `name` whose labels include `labels`; undefined when there is none (a
 * missing series is not the same as a zero).
 */
export function metricValue(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const matching = parseSamples(text).filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  return matching.length === 0 ? undefined : matching.reduce((sum, s) => sum + s.value, 0);
}

/**
 * prom-client's default gauges of active handles, requests and resources end in `_total`, which
 * promtool's lint reserves for counters; they are the only problems allowed.
 */
export const PROMTOOL_ALLOWED = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/** Whether a binary of Debian's prometheus package is on PATH. */
export function hasBinary(name: 'promtool' | 'prometheus'): boolean {
  return spawnSync(name, ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Pipes an exposition through `promtool check metrics`; returns its problems other than the allowed
 * ones (an empty list means the exposition passes), including parse errors.
 */
export async function promtoolProblems(exposition: string): Promise<string[]> {
  const child = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exit = new Promise<number | null>((resolve, reject) => {
    child.once('error', (err) =>
      reject(
        new Error(
          `promtool could not run (scripts/ensure-promtool.sh installs it): ${err.message}`,
        ),
      ),
    );
    child.once('close', (code) => resolve(code));
  });
  child.stdin.end(exposition);
  const code = await exit;
  const problems = output
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !PROMTOOL_ALLOWED.some((name) => line.startsWith(`${name} `)));
  // Exit 3 is "lint problems" (all listed above); anything else but 0 is a failure of its own.
  if (code !== 0 && code !== 3) problems.push(`promtool exited with ${code}`);
  return problems;
}

/**
 * Whether to run a test that needs a binary of Debian's prometheus package: yes when it is installed
 * or CI is set (where its absence must fail the run); otherwise it is skipped with a loud warning.
 */
export function requireBinary(name: 'promtool' | 'prometheus'): boolean {
  if (hasBinary(name)) return true;
  if (process.env.CI) return true;
  console.warn(
    `\n!!! ${name} is not installed: the tests that need it are SKIPPED. Install it with ` +
      `\`bash scripts/ensure-promtool.sh\` (Debian's prometheus package). With CI set they fail instead.\n`,
  );
  return false;
}
