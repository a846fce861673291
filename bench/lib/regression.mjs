// The regression guard: a scenario whose ratio to its bound falls more than a third below the figure
// committed for its mode (bench/ratios.json) fails the run. Ratios, not times: the bound is measured
// in the same run on the same machine, so a slower machine moves both.
import { readFileSync } from 'node:fs';
import { fmt } from './format.mjs';

/** How far below its committed figure a ratio may fall before the run fails. */
export const ALLOWED_DROP = 1 / 3;

/** The committed figures of `file`, per mode and scenario. */
export function readCommittedRatios(file) {
  const { embedded, infra } = JSON.parse(readFileSync(file, 'utf8'));
  return { embedded, infra };
}

/**
 * The scenarios of `results` whose ratio fell more than ALLOWED_DROP below `committed[mode]`, each
 * with a line that says so; scenarios without a ratio (not run, or the run ended before its
 * baselines) or without a committed figure are not judged.
 */
export function findRegressions(results, committed) {
  const figures = committed[results.run.mode] ?? {};
  const regressions = [];
  for (const s of results.scenarios) {
    const expected = figures[s.key];
    if (typeof expected !== 'number' || typeof s.ratio !== 'number') continue;
    const floor = expected * (1 - ALLOWED_DROP);
    if (s.ratio < floor) {
      regressions.push({
        key: s.key,
        ratio: s.ratio,
        committed: expected,
        message: `${s.key}: ratio ${fmt(s.ratio, 2)} is more than a third below the committed ${fmt(expected, 2)} (at least ${fmt(floor, 2)}; bench/ratios.json)`,
      });
    }
  }
  return regressions;
}
