// The regression guard's second look: at the end of a run, each scenario whose ratio fell more than a
// third below its committed figure (bench/lib/regression.mjs) is measured once more, with its bound
// measured right beside it, and keeps that figure as `secondLook`. Other load on the machine that
// came and went between a scenario and its bound then does not fail the run; a real slowdown is
// slow both times.
import { BASELINES, measureBaselineOnce } from './baselines.mjs';
import { applyBounds } from './bounds.mjs';
import { fmt } from './format.mjs';
import { measureScenario } from './measure-scenario.mjs';
import { findRegressions } from './regression.mjs';
import { SCENARIOS } from './scenarios.mjs';
import { round } from './stats.mjs';

export async function takeSecondLook(run, committed) {
  const { results, life, log } = run;
  applyBounds(results);
  for (const suspect of findRegressions(results, committed)) {
    const scenario = SCENARIOS.find((s) => s.key === suspect.key);
    const first = results.scenarios.find((s) => s.key === suspect.key);
    log(
      `${scenario.name}: ratio ${fmt(suspect.ratio, 2)}, more than a third below ${fmt(suspect.committed, 2)}; measuring it again beside its bound`,
    );
    // An argon2-bound row measures its bound beside it by itself (measure-scenario.mjs); a row bound
    // by a server baseline gets it measured before and after; the mix keeps the run's bounds.
    const server = BASELINES.find((b) => b.key === scenario.bound && b.route);
    const before = server && (await measureBaselineOnce(run, server.key, 'second look, before'));
    const rows = [];
    await measureScenario(run, scenario, rows);
    const after = server && (await measureBaselineOnce(run, server.key, 'second look, after'));
    life.checkAborted();
    const [row] = rows;
    const bound = row.adjacent
      ? { name: `${row.adjacent.name}, adjacent`, rps: row.adjacent.rps }
      : server
        ? { name: `${server.boundName}, adjacent`, rps: round((before + after) / 2, 1) }
        : first.bestBound;
    first.secondLook = {
      rps: row.rps,
      p99: row.p99,
      errors: row.errors,
      non2xx: row.non2xx,
      bound,
      ratio: bound?.rps ? round(row.rps / bound.rps, 3) : null,
    };
  }
}
