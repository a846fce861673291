// The baselines that bound the scenarios: argon2id verify and hash in this process, one per core at a
// time (as the services run them), and a bare Koa route and a Koa route that only verifies an access
// token with jose, each in a process of its own (bench/baseline-server.mjs). They run before the
// services start and again at the end; the better run of each is the bound, since other load on the
// machine only ever slows a measurement down.
import { argon2Rate } from './argon2.mjs';
import { runAutocannon } from './load.mjs';
import { startBaselineServer } from './processes.mjs';
import { round } from './stats.mjs';
import { cpuMeter } from './usage.mjs';

/** `boundName`: how the report names it where it bounds a scenario (bench/lib/bounds.mjs). */
export const BASELINES = [
  {
    key: 'argon2-verify',
    name: 'argon2id verify',
    boundName: 'argon2id verify',
    operation: 'verify',
  },
  { key: 'argon2-hash', name: 'argon2id hash', boundName: 'argon2id hash', operation: 'hash' },
  { key: 'koa', name: 'bare Koa', route: '/ping' },
  { key: 'jose', name: 'Koa + jose verify', boundName: 'Koa + jose', route: '/verify' },
];

/** Measures every baseline; `when` ('start' or 'end') names the run of each. */
export async function measureBaselines(run, when) {
  for (const baseline of BASELINES) {
    const measure = baseline.operation ? measureArgon2 : measureServer;
    record(run.results, baseline, when, await measure(run, baseline, when));
  }
}

/**
 * One more run of the baseline `key`, kept out of the run's baselines: the regression guard's second
 * look measures a scenario's bound right beside it (bench/lib/second-look.mjs). Its req/s.
 */
export async function measureBaselineOnce(run, key, when) {
  const baseline = BASELINES.find((b) => b.key === key);
  const measure = baseline.operation ? measureArgon2 : measureServer;
  return (await measure(run, baseline, when)).rps;
}

async function measureArgon2({ config, life, log }, { operation }, when) {
  const { argon2, settings } = config;
  log(
    `baseline (${when}): argon2id ${operation}, ${argon2.concurrency} at a time, ${settings.argon2Seconds} s`,
  );
  const cpu = cpuMeter();
  const r = await argon2Rate({
    operation,
    params: argon2,
    seconds: settings.argon2Seconds,
    concurrency: argon2.concurrency,
    signal: life.signal,
  });
  const { clientCores } = cpu(r.seconds);
  life.checkAborted();
  return {
    connections: argon2.concurrency,
    rps: r.rate,
    requests: r.operations,
    seconds: round(r.seconds, 2),
    p50: round(r.p50, 2),
    p99: round(r.p99, 2),
    errors: 0,
    non2xx: null,
    clientCores,
  };
}

async function measureServer({ config, life, results, log }, { key, name, route }, when) {
  const { settings } = config;
  log(`baseline (${when}): ${name}, ${settings.connections} connections, ${settings.seconds} s`);
  const server = await startBaselineServer(config.root, key, config.baseEnv);
  const untrack = life.track(server);
  life.defer(`stop the ${name} baseline`, server.stop);
  let i = 0;
  const auth = (req) =>
    server.tokens.length === 0
      ? req
      : {
          ...req,
          headers: {
            ...req.headers,
            authorization: `Bearer ${server.tokens[i++ % server.tokens.length]}`,
          },
        };
  const load = (seconds) =>
    runAutocannon({
      url: server.url,
      connections: settings.connections,
      seconds,
      maxRequests: settings.maxRequests,
      requests: [{ method: 'GET', path: route, setupRequest: auth }],
      signal: life.signal,
    });
  await load(settings.warmupSeconds);
  life.checkAborted();
  const cpu = cpuMeter([server.pid]);
  const r = await load(settings.seconds);
  life.checkAborted();
  const { clientCores, processCores } = cpu(r.seconds);
  if (r.errors || r.non2xx)
    results.failures.push(`${name} (${when}): ${r.errors} errors, ${r.non2xx} non-2xx`);
  await server.stop();
  untrack();
  return { ...r, clientCores, serverCores: processCores };
}

/** Adds the run `when` to the baseline's entry, whose figures are those of its best run so far. */
function record(results, { key, name }, when, r) {
  let b = results.baselines.find((x) => x.key === key);
  if (!b) results.baselines.push((b = { key, name, runs: {} }));
  b.runs[when] = r;
  const best = Object.values(b.runs).reduce((x, y) => (y.rps > x.rps ? y : x));
  Object.assign(b, {
    ...best,
    runs: b.runs,
    key,
    name,
    at: Object.keys(b.runs).find((k) => b.runs[k] === best),
  });
}
