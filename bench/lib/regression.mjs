// The regression guard: a scenario whose ratio to its bound falls more than a third below the figure
// committed for its kind of run (bench/ratios.json: the mode, and quick or full) fails the run, unless
// a second look (bench/lib/second-look.mjs: the scenario measured again with its bound right beside
// it) finds it within the third. Ratios, not times: the bound is measured in the same run on the same
// machine, so a slower machine moves both; the second look is for a machine whose load changed
// between a scenario and its bound.
import { readFileSync } from 'node:fs';
import { fmt } from './format.mjs';

/** How far below its committed figure a ratio may fall before the run fails. */
export const ALLOWED_DROP = 1 / 3;

/** The kinds of run that have figures of their own: `npm run bench [-- --quick] [-- --infra]`. */
export const RUN_KINDS = ['embedded', 'infra', 'quick-embedded', 'quick-infra'];

/** The committed figures of `file`, per kind of run and scenario. */
export function readCommittedRatios(file) {
  const figures = JSON.parse(readFileSync(file, 'utf8'));
  return Object.fromEntries(RUN_KINDS.map((kind) => [kind, figures[kind]]));
}

/** The kind of run of `results` (a key of RUN_KINDS). */
export const runKind = ({ run }) => (run.quick ? `quick-${run.mode}` : run.mode);

/**
 * The scenarios of `results` whose ratio fell more than ALLOWED_DROP below the figure committed for
 * the run's kind, each with a line that says so. A scenario with a second look is judged by the
 * better of its two ratios. Scenarios without a ratio (not run, or the run ended before its
 * baselines) or without a committed figure are not judged.
 */
export function findRegressions(results, committed) {
  const figures = committed[runKind(results)] ?? {};
  const regressions = [];
  for (const s of results.scenarios) {
    const expected = figures[s.key];
    if (typeof expected !== 'number' || typeof s.ratio !== 'number') continue;
    const again = s.secondLook?.ratio;
    const ratio = typeof again === 'number' ? Math.max(s.ratio, again) : s.ratio;
    const floor = expected * (1 - ALLOWED_DROP);
    if (ratio < floor) {
      const looks = typeof again === 'number' ? ` (${fmt(again, 2)} on a second look)` : '';
      regressions.push({
        key: s.key,
        ratio,
        committed: expected,
        message: `${s.key}: ratio ${fmt(s.ratio, 2)}${looks} is more than a third below the committed ${fmt(expected, 2)} for ${runKind(results)} runs (at least ${fmt(floor, 2)}; bench/ratios.json)`,
      });
    }
  }
  return regressions;
}
