#!/usr/bin/env node
/* eslint-disable no-restricted-syntax -- an entry point, like scripts/: it reads its settings from process.env */
// The benchmark: `npm run bench [-- --quick] [-- --infra]` (see bench/README.md). It starts the
// services itself, drives load at them from this process, measures the baselines that bound each
// scenario in the same run, prints a table and writes bench-results/<timestamp>.json; everything it
// started is stopped again, also on failure or Ctrl+C. It exits non-zero on errors (failed requests,
// a crashed service) and when a scenario's ratio to its bound falls more than a third below the one
// committed in bench/ratios.json; never on a timing.
import path from 'node:path';
import { runBenchmark } from './lib/benchmark.mjs';
import { parseCommandLine } from './lib/cli.mjs';
import { configure } from './lib/config.mjs';
import { createLifecycle } from './lib/lifecycle.mjs';
import { renderReport } from './lib/report.mjs';
import { readCommittedRatios } from './lib/regression.mjs';
import { createResults, finishResults, saveResults } from './lib/results.mjs';

const config = configure(parseCommandLine(process.argv.slice(2)), process.env);
const results = createResults(config, new Date());
const life = createLifecycle({ watchdogMs: config.settings.watchdogMs });
const log = (line) => console.error(`[bench] ${line}`);

const committed = readCommittedRatios(path.resolve(config.root, config.args.ratios));
const code = await life.run(
  () => runBenchmark({ config, results, life, log, committed }),
  results.failures,
);
results.failures.push(...(await life.close()));
finishResults(results, committed);

console.log(`\n${renderReport(results).join('\n')}`);
const file = saveResults(results, path.resolve(config.root, config.args.out));
console.log(`\nResults: ${path.relative(process.cwd(), file) || file}`);
process.exit(code === 0 && results.failures.length > 0 ? 1 : code);
