// Each scenario's bound, and its ratio to it: the best baseline of the run, or for an argon2-bound
// scenario the mean of the argon2 runs right before and after it (bench/lib/measure-scenario.mjs);
// the same for the TOTP and passkey logins.
import { BASELINES } from './baselines.mjs';
import { MIX } from './scenarios.mjs';
import { round } from './stats.mjs';

export function applyBounds(results) {
  const bounds = {};
  for (const { key, boundName } of BASELINES.filter((b) => b.boundName)) {
    bounds[key] = { name: boundName, rps: results.baselines.find((b) => b.key === key)?.rps };
  }
  if (Object.values(bounds).some((b) => !b.rps)) return; // the run ended before its baselines
  // A request of the mix costs its share of its bound's time: the mix's bound is the weighted
  // harmonic mean.
  const total = MIX.reduce((sum, e) => sum + e.mixWeight, 0);
  bounds.mixed = {
    name: 'weighted bounds',
    rps: 1 / MIX.reduce((sum, e) => sum + e.mixWeight / total / bounds[e.bound].rps, 0),
  };
  // The second-factor logins (bench/lib/flow-load.mjs) have the rows' bounds and adjacent runs too.
  const rows = [...results.scenarios, results.totpLogin, results.passkeyLogin].filter(Boolean);
  for (const s of rows) {
    s.bestBound = bounds[s.boundKey];
    s.bestRatio = s.bestBound?.rps ? round(s.rps / s.bestBound.rps, 3) : null;
    s.bound = s.adjacent
      ? { name: `${s.adjacent.name}, adjacent`, rps: s.adjacent.rps }
      : s.bestBound;
    s.ratio = s.bound?.rps ? round(s.rps / s.bound.rps, 3) : null;
  }
}
