// Whether the services' memory settles: the mixed workload again on the same processes (its later
// rounds; a leak grows from round to round), each service's RSS after every round, and V8's share.
import { connectionsOf, loadProblems } from './measure-scenario.mjs';
import { scenarioLoad } from './scenario-load.mjs';
import { SCENARIOS } from './scenarios.mjs';
import { heapStats, memoryOf } from './usage.mjs';

/** Each process's RSS now, in MB, by name. */
export const rssOf = (processes) =>
  Object.fromEntries(processes.map((p) => [p.name, memoryOf(p.pid).rssMB]));

/** The RSS after each round of the mixed workload (none when it was not selected). */
export async function measureMixedRounds(run) {
  const { config, life, results, stack, log } = run;
  const { settings } = config;
  if (!config.selected('mixed')) return [];
  const mixed = SCENARIOS.find((s) => s.mix);
  const load = scenarioLoad(run, mixed, connectionsOf(mixed, settings));
  const rounds = [rssOf(stack.processes)];
  for (let round = 2; round <= settings.mixedRounds; round++) {
    log(
      `${mixed.name}, round ${round} of ${settings.mixedRounds} (memory): ${settings.mixedSeconds} s`,
    );
    await run.refill();
    const r = await load(settings.mixedSeconds);
    life.checkAborted();
    const problems = loadProblems(r);
    if (problems) results.failures.push(`mixed round ${round}: ${problems}`);
    rounds.push(rssOf(stack.processes));
  }
  return rounds;
}

/** Each service's memory after the mixed rounds: the highest RSS after any round, and V8's heap. */
export async function afterMixed(stack, rounds) {
  const byName = new Map();
  for (const p of stack.processes) {
    byName.set(p.name, {
      afterMixedMB: rounds.length ? Math.max(...rounds.map((r) => r[p.name] ?? NaN)) : null,
      afterMixedRoundsMB: rounds.map((r) => r[p.name]),
      // prom-client's view of the same process: how much of the RSS is V8's heap.
      heapAfterMixed: await heapStats(p.name === 'user' ? stack.userUrl : stack.authUrl),
    });
  }
  return byName;
}

/** The memory figures of the report for each service process, its final RSS read now. */
export function memorySummary(stack, idleRss, mixed) {
  return stack.processes.map((p) => {
    const { afterMixedMB, afterMixedRoundsMB, heapAfterMixed } = mixed.get(p.name);
    const now = memoryOf(p.pid);
    return {
      process: p.name,
      pid: p.pid,
      idleRssMB: idleRss[p.name],
      afterMixedMB,
      afterMixedRoundsMB,
      heapAfterMixed,
      finalRssMB: now.rssMB,
      peakRssMB: now.peakRssMB,
    };
  });
}
