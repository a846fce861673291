// The results of a run: what bench-results/<timestamp>.json holds and the report is printed from.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { applyBounds } from './bounds.mjs';
import { findRegressions } from './regression.mjs';
import { evaluateTargets } from './targets.mjs';

/** The results before anything has run: the run's description and empty sections. */
export function createResults(config, startedAt) {
  const { args } = config;
  return {
    run: {
      startedAt: startedAt.toISOString(),
      mode: args.infra ? 'infra' : 'embedded',
      quick: args.quick,
      stack: args.infra ? 'infra' : 'embedded',
      node: process.versions.node,
      platform: `${os.platform()} ${os.release()}`,
      cpus: os.availableParallelism(),
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      loadAverage: { start: os.loadavg(), end: null },
      argon2: config.argon2,
      threadPoolSize: config.threadPoolSize,
      logLevel: args.logLevel,
      serviceEnv: args.serviceEnv,
      settings: config.settings,
    },
    baselines: [],
    scenarios: [],
    propagation: null,
    mail: null,
    client: null,
    totpLogin: null,
    passkeyLogin: null,
    directory: null,
    memory: [],
    targets: [],
    failures: [],
  };
}

/**
 * Completes the results once everything has stopped: each scenario's bound, the targets, and the
 * scenarios that fell more than a third below their committed ratios (`committed`, from
 * bench/ratios.json), which are failures of the run.
 */
export function finishResults(results, committed) {
  results.run.loadAverage.end = os.loadavg();
  results.run.finishedAt = new Date().toISOString();
  applyBounds(results);
  results.targets = evaluateTargets(results);
  results.regressions = committed ? findRegressions(results, committed) : [];
  results.failures.push(...results.regressions.map((r) => r.message));
}

/** Writes the results to `<outDir>/<start time>.json`; returns the file's path. */
export function saveResults(results, outDir) {
  mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `${results.run.startedAt.replace(/:/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}
