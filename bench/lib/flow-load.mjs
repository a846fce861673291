// A login of several requests as load, measured like a row of the scenario table: `connections`
// virtual users on keep-alive connections, each running one login after another until the time or
// the count is up. A login is one sample, from its first request sent to its last answer read; one
// that ends in an unexpected answer or a connection error is a failure, and its latency is left out.
import http from 'node:http';
import { sleep } from './http.mjs';
import { adjacentArgon2, adjacentBound, usageOf } from './measure-scenario.mjs';
import { latencySummary, round } from './stats.mjs';
import { cpuMeter } from './usage.mjs';

/** How many failure messages a run keeps (the count is kept in full). */
const KEPT_FAILURES = 5;

/**
 * @param {{ connections: number, seconds: number, maxLogins: number, signal: AbortSignal,
 *   login(user: number, agent: http.Agent): Promise<{ ok: boolean, status: number, at: number,
 *   problem?: string }> }} opts `login` runs one login of virtual user `user` (0 to connections − 1).
 */
export async function runLogins({ connections, seconds, maxLogins, signal, login }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const latencies = [];
  const statusCodes = {};
  const failures = [];
  let failed = 0;
  let errors = 0;
  let started = 0;
  const begun = performance.now();
  const deadline = begun + seconds * 1000;
  const virtualUser = async (user) => {
    while (!signal.aborted && performance.now() < deadline && started < maxLogins) {
      started++;
      const t0 = performance.now();
      try {
        const r = await login(user, agent);
        statusCodes[r.status] = (statusCodes[r.status] ?? 0) + 1;
        if (r.ok) latencies.push(r.at - t0);
        else {
          failed++;
          if (failures.length < KEPT_FAILURES) failures.push(r.problem ?? `status ${r.status}`);
        }
      } catch (err) {
        errors++;
        if (failures.length < KEPT_FAILURES) failures.push(err.message);
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, (_, i) => virtualUser(i)));
  const elapsed = (performance.now() - begun) / 1000;
  agent.destroy();
  return {
    connections,
    seconds: round(elapsed, 2),
    logins: latencies.length,
    rps: round(latencies.length / elapsed, 1),
    ...latencySummary(latencies),
    errors,
    non2xx: failed,
    statusCodes,
    failures,
  };
}

/**
 * A login load measured as a row of the scenario table is (bench/lib/measure-scenario.mjs): a
 * warm-up, then the measured run; the CPU of this process, the services and the machine, and the
 * services' memory; with `bound` 'argon2-verify', argon2 measured right before and after it. Failed
 * logins, in the warm-up too, are failures of the run.
 */
export async function measureLogins(run, { name, connections, bound, login }) {
  const { config, life, log, results, stack } = run;
  const { settings } = config;
  log(
    `${name}: ${connections} connections, ${settings.warmupSeconds} s warm-up + ${settings.seconds} s`,
  );
  const adjacent = adjacentArgon2(run, bound);
  const before = await adjacent?.rate();
  const load = (seconds) =>
    runLogins({
      connections,
      seconds,
      maxLogins: settings.maxRequests,
      signal: life.signal,
      login,
    });
  const warm = await load(settings.warmupSeconds);
  life.checkAborted();
  checkLogins(results, `${name} (warm-up)`, warm);
  await sleep(300);
  const cpu = cpuMeter(stack.processes.map((p) => p.pid));
  const r = await load(settings.seconds);
  life.checkAborted();
  const usage = usageOf(stack, cpu, r.seconds);
  const after = await adjacent?.rate();
  checkLogins(results, name, r);
  await sleep(500);
  return {
    name,
    ...r,
    warmUpLogins: warm.logins,
    boundKey: bound,
    adjacent: adjacentBound(adjacent, before, after),
    ...usage,
  };
}

function checkLogins(results, name, r) {
  if (r.errors || r.non2xx) {
    results.failures.push(
      `${name}: ${r.errors} errors, ${r.non2xx} failed logins (last answers ${JSON.stringify(r.statusCodes)}; first: ${r.failures[0]})`,
    );
  }
}
