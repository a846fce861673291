// One row of the scenario table measured: a warm-up, then the measured run, bounded by time and by a
// request count; the CPU of this process, the services and the machine, and the services' memory.
import { argon2Rate } from './argon2.mjs';
import { BASELINES } from './baselines.mjs';
import { sleep } from './http.mjs';
import { scenarioLoad } from './scenario-load.mjs';
import { round } from './stats.mjs';
import { cpuMeter, memoryOf } from './usage.mjs';

/** The connections of a row: its `connections` names a setting. */
export const connectionsOf = (scenario, settings) =>
  scenario.connections === 'argon2' ? settings.argon2Connections : settings.connections;

/** A measured run's CPU (this process, the services, the machine) and the services' memory now. */
export function usageOf(stack, cpu, seconds) {
  const { clientCores, processCores, machineCores } = cpu(seconds);
  const memory = stack.processes.map((p) => ({ process: p.name, ...memoryOf(p.pid) }));
  return { clientCores, serviceCores: processCores, machineCores, memory };
}

/** The bound measured right before and after a run (adjacentArgon2), as a row records it. */
export const adjacentBound = (adjacent, before, after) =>
  adjacent
    ? { name: adjacent.name, before, after, rps: round((before + after) / 2, 1) }
    : undefined;

/**
 * Measures `scenario` and adds its row to `into` (the run's scenario table unless told otherwise:
 * the regression guard's second look keeps its rows apart, bench/lib/regression.mjs).
 */
export async function measureScenario(run, scenario, into = run.results.scenarios) {
  const { config, life, results, state, stack, log } = run;
  const { settings } = config;
  const connections = connectionsOf(scenario, settings);
  const seconds = scenario.mix ? settings.mixedSeconds : settings.seconds;
  log(
    `${scenario.name}: ${connections} connections, ${settings.warmupSeconds} s warm-up + ${seconds} s`,
  );
  if (scenario.refills) await run.refill();
  const adjacent = adjacentArgon2(run, scenario.bound);
  const before = await adjacent?.rate();
  const load = scenarioLoad(run, scenario, connections);
  const warm = await load(settings.warmupSeconds);
  life.checkAborted();
  const warmProblems = loadProblems(warm);
  if (warmProblems) results.failures.push(`${scenario.name} (warm-up): ${warmProblems}`);
  await sleep(300);
  if (scenario.refills) await run.refill();
  const cpu = cpuMeter(stack.processes.map((p) => p.pid));
  state.pool.exhausted = 0;
  const r = await load(seconds);
  life.checkAborted();
  const usage = usageOf(stack, cpu, r.seconds);
  const after = await adjacent?.rate();
  into.push({
    key: scenario.key,
    name: scenario.name,
    ...r,
    boundKey: scenario.bound,
    adjacent: adjacentBound(adjacent, before, after),
    ...usage,
    refreshPoolExhausted: state.pool.exhausted || undefined,
  });
  const problems = loadProblems(r);
  if (problems) {
    const dry = state.pool.exhausted;
    results.failures.push(
      `${scenario.name}: ${problems}` +
        (dry ? `; the refresh-token pool ran dry ${dry} times` : ''),
    );
  }
  // Let the requests still in flight when the load stopped finish before the next scenario.
  await sleep(500);
}

/** "N errors, N non-2xx (status codes ...)" of a load run that had any, else undefined. */
export function loadProblems(r) {
  if (!r.errors && !r.non2xx) return undefined;
  return `${r.errors} errors, ${r.non2xx} non-2xx (status codes ${JSON.stringify(r.statusCodes)})`;
}

/**
 * An argon2-bound row is also compared with argon2 measured right before and after it (half the
 * baseline's time each, the services idle): the machine's speed drifts within a run, and the
 * start and end baselines can be minutes away. Undefined for the other rows.
 */
export function adjacentArgon2({ config, life }, bound) {
  const baseline = BASELINES.find((b) => b.key === bound && b.operation);
  if (!baseline) return undefined;
  const { argon2, settings } = config;
  const rate = async () =>
    (
      await argon2Rate({
        operation: baseline.operation,
        params: argon2,
        seconds: settings.argon2Seconds / 2,
        concurrency: argon2.concurrency,
        signal: life.signal,
      })
    ).rate;
  return { name: baseline.name, rate };
}
