#!/usr/bin/env node
/* eslint-disable no-restricted-syntax -- an entry point, like scripts/: it reads its settings from process.env */
// The benchmark: `npm run bench [-- --quick] [-- --infra]` (see bench/README.md).
// It starts the services itself, seeds accounts and tokens, drives load from this process with
// autocannon, measures the baselines that bound each scenario in the same run, prints a table and
// writes bench-results/<timestamp>.json; everything it started is stopped again, also on failure or
// Ctrl+C. It exits non-zero on errors (failed requests, a crashed service), never on a timing.
import { RUNTIME_ENV } from './lib/runtime-env.mjs';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  argon2Concurrency,
  argon2Rate,
  startBaselineServer,
  threadPoolSize,
} from './lib/baselines.mjs';
import { heapStats, sleep } from './lib/http.mjs';
import { round, runAutocannon, runMix } from './lib/load.mjs';
import { cpuSecondsOf, describeExit, machineBusySeconds, memoryOf } from './lib/processes.mjs';
import { evaluateTargets, renderReport } from './lib/report.mjs';
import {
  autocannonRequests,
  createState,
  fillPool,
  measureDeactivationPropagation,
  measureRegisterPropagation,
  mixKinds,
  measureLogoutPropagation,
  seedAccounts,
} from './lib/scenarios.mjs';
import { checkInfra, startStack } from './lib/stack.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SCENARIOS = ['register', 'login', 'refresh', 'profile', 'edit-bio', 'mixed', 'propagation'];
const HELP = `Usage: npm run bench -- [options]

  --quick            a few seconds per scenario and ~100 propagation samples (CI)
  --infra            Postgres + RabbitMQ, each service a separate process (fresh databases and a
                     unique queue, removed afterwards); default: the embedded default (one process,
                     SQLite in a temporary DATA_DIR, in-process bus)
  --only a,b         run only these scenarios (${SCENARIOS.join(', ')}); the baselines always run
  --duration S       seconds per scenario (default 10, quick 3; the mixed workload twice as long)
  --samples N        propagation samples (default 1000, quick 100)
  --log-level L      the services' LOG_LEVEL (default info, as they ship; logs go to a file)
  --out DIR          where the JSON goes (default bench-results)
  --keep             keep the temporary folder (services' logs, SQLite files)
  --env KEY=VALUE    an extra environment variable for the services (repeatable; for experiments)

Environment: BENCH_POSTGRES_URL (default TEST_POSTGRES_URL or postgres://postgres@127.0.0.1:5432/postgres),
BENCH_AMQP_URL (default TEST_AMQP_URL or amqp://guest:guest@127.0.0.1:5672), ARGON2_MEMORY_KIB,
ARGON2_TIME_COST, ARGON2_PARALLELISM (default 19456, 2, 1: the services' defaults), ARGON2_CONCURRENCY
(default: one per core, as in the services), UV_THREADPOOL_SIZE.`;

function parseArgs(argv) {
  const args = {
    serviceEnv: {},
    quick: false,
    infra: false,
    keep: false,
    only: null,
    logLevel: 'info',
    out: 'bench-results',
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) usage(`${a} needs a value`);
      return v;
    };
    if (a === '--quick') args.quick = true;
    else if (a === '--infra') args.infra = true;
    else if (a === '--keep') args.keep = true;
    else if (a === '--only') args.only = new Set(value().split(','));
    else if (a === '--duration') args.duration = positive(a, value());
    else if (a === '--samples') args.samples = positive(a, value());
    else if (a === '--log-level') args.logLevel = value();
    else if (a === '--out') args.out = value();
    else if (a === '--env') {
      const [k, ...v] = value().split('=');
      if (!k || v.length === 0) usage('--env needs KEY=VALUE');
      args.serviceEnv[k] = v.join('=');
    } else if (a === '--help' || a === '-h') {
      console.log(HELP);
      process.exit(0);
    } else usage(`unknown option ${a}`);
  }
  for (const s of args.only ?? []) if (!SCENARIOS.includes(s)) usage(`unknown scenario ${s}`);
  return args;
}

function positive(name, v) {
  const n = Number(v);
  if (!(n > 0)) usage(`${name} must be a positive number`);
  return n;
}

function usage(message) {
  console.error(`${message}\n\n${HELP}`);
  process.exit(2);
}

const args = parseArgs(process.argv.slice(2));
const env = process.env;
const seconds = args.duration ?? (args.quick ? 3 : 10);
const settings = {
  seconds,
  mixedSeconds: seconds * 2,
  /** The mixed workload runs this many times on the same processes: memory must settle, not grow. */
  mixedRounds: args.quick ? 1 : 3,
  warmupSeconds: args.quick ? 1 : 3,
  argon2Seconds: args.quick ? 2 : 8,
  samples: Math.round(args.samples ?? (args.quick ? 100 : 1000)),
  accounts: args.quick ? 20 : 100,
  /** Connections of the HTTP scenarios and baselines (the GET /profile target is at 50). */
  connections: 50,
  /**
   * Connections of the argon2-bound scenarios: four per argon2 slot, so that requests wait at the
   * service's gate while others do their database work, and no slot idles.
   */
  argon2Connections: 4 * argon2Concurrency(env),
  maxRequests: args.quick ? 200_000 : 2_000_000,
  /** The whole run, as a last resort against a hang. */
  watchdogMs: (args.quick ? 15 : 60) * 60_000,
};
const argon2 = {
  memoryKiB: Number(env.ARGON2_MEMORY_KIB ?? 19_456),
  timeCost: Number(env.ARGON2_TIME_COST ?? 2),
  parallelism: Number(env.ARGON2_PARALLELISM ?? 1),
  concurrency: argon2Concurrency(env),
};
const postgresUrl =
  env.BENCH_POSTGRES_URL ?? env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const amqpUrl = env.BENCH_AMQP_URL ?? env.TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const selected = (key) => !args.only || args.only.has(key);

// ---- everything started is undone here, newest first ---------------------------------------------
const undo = [];
const cleanup = { push: (name, fn) => undo.push({ name, fn }) };
async function runCleanups() {
  const errors = [];
  while (undo.length > 0) {
    const { name, fn } = undo.pop();
    try {
      await Promise.race([
        fn(),
        sleep(30_000).then(() => Promise.reject(new Error('did not finish in 30 s'))),
      ]);
    } catch (err) {
      errors.push(`cleanup (${name}): ${err.message}`);
    }
  }
  return errors;
}

const controller = new AbortController();
const { signal } = controller;
let abortReason;
const abort = (reason) => {
  abortReason ??= reason;
  controller.abort();
};
const liveProcesses = new Set();
let interrupted;
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    if (interrupted) {
      // A second signal: no more waiting.
      for (const pid of liveProcesses) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      process.exit(130);
    }
    interrupted = sig;
    console.error(`\n${sig}: stopping the load and everything the benchmark started...`);
    abort(`interrupted (${sig})`);
  });
}
const watchdog = setTimeout(
  () => abort(`the run took longer than ${settings.watchdogMs / 60_000} minutes`),
  settings.watchdogMs,
);
watchdog.unref();

const log = (line) => console.error(`[bench] ${line}`);
const checkAborted = () => {
  if (signal.aborted) throw new Error(abortReason ?? 'aborted');
};

// ---- the run ------------------------------------------------------------------------------------
/** The services under test, once started. */
let stack;
const startedAt = new Date();
const results = {
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
    argon2,
    threadPoolSize: threadPoolSize(env),
    logLevel: args.logLevel,
    serviceEnv: args.serviceEnv,
    settings,
  },
  baselines: [],
  scenarios: [],
  propagation: null,
  memory: [],
  targets: [],
  failures: [],
};

async function main() {
  if (args.infra) await checkInfra(postgresUrl, amqpUrl);
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'auth-user-bench-'));
  if (args.keep) log(`temporary folder (kept): ${workDir}`);
  else {
    cleanup.push('remove the temporary folder', async () =>
      rmSync(workDir, { recursive: true, force: true }),
    );
  }
  // The services get only what they need: a developer's environment or .env never leaks in.
  const baseEnv = {
    PATH: env.PATH ?? '',
    LOG_LEVEL: args.logLevel,
    ARGON2_MEMORY_KIB: String(argon2.memoryKiB),
    ARGON2_TIME_COST: String(argon2.timeCost),
    ARGON2_PARALLELISM: String(argon2.parallelism),
    // All load comes from one address: the per-IP limits and the challenge must not refuse it. The
    // counters count a login while it is in flight (until its password is proven), and each seeded
    // account has several in flight at once in the mix: their thresholds at the highest allowed.
    LOGIN_MAX_FAILURES_PER_IP: '1000000000',
    LOGIN_MAX_FAILURES_PER_ACCOUNT: '100',
    LOGIN_MAX_FAILURES_PER_ACCOUNT_IP: '100',
    REGISTER_RATE_PER_IP: '1000000000',
    REFRESH_RATE_PER_IP: '1000000000',
    CHALLENGE_AFTER_FAILURES: '0',
    ...RUNTIME_ENV,
    ARGON2_CONCURRENCY: String(argon2.concurrency),
    ...(env.UV_THREADPOOL_SIZE ? { UV_THREADPOOL_SIZE: env.UV_THREADPOOL_SIZE } : {}),
  };
  const serviceEnv = { ...baseEnv, ...args.serviceEnv };

  // Baselines: before the services start, and again at the end (below); the better of the two
  // bounds the scenarios, since other load on the machine only ever slows a measurement down.
  await measureBaselines(baseEnv, 'start');

  log(
    `starting the services (${args.infra ? 'Postgres + RabbitMQ, two processes' : 'embedded default'})`,
  );
  stack = await startStack({
    root: ROOT,
    workDir,
    infra: args.infra,
    postgresUrl,
    amqpUrl,
    baseEnv: serviceEnv,
    cleanup,
    onUnexpectedExit: (name, exit) => {
      results.failures.push(`${name} exited unexpectedly (${describeExit(exit)})`);
      abort(`${name} exited unexpectedly (${describeExit(exit)})`);
    },
  });
  for (const p of stack.processes) liveProcesses.add(p.pid);
  results.run.stack = stack.description;
  results.run.processes = stack.processes.map((p) => ({ name: p.name, pid: p.pid }));
  const idleRss = new Map(stack.processes.map((p) => [p.name, memoryOf(p.pid).rssMB]));
  checkAborted();

  const state = createState({
    authUrl: stack.authUrl,
    userUrl: stack.userUrl,
    poolCapacity: 20_000,
  });
  const concurrency = threadPoolSize(env);
  log(`seeding ${settings.accounts} accounts`);
  await seedAccounts(state, settings.accounts, concurrency, signal);
  checkAborted();
  const minPool = 4 * settings.connections;
  log(`pre-issuing refresh tokens (a pool of at least ${minPool})`);
  await fillPool(state, minPool, concurrency, signal);
  checkAborted();

  const measure = async ({ key, name, connections, bound, run, seconds: s = settings.seconds }) => {
    if (!selected(key)) return;
    log(`${name}: ${connections} connections, ${settings.warmupSeconds} s warm-up + ${s} s`);
    const refills = key === 'refresh' || key === 'mixed';
    if (refills) await fillPool(state, minPool, concurrency, signal);
    // An argon2-bound scenario is also compared with argon2 measured right before and after it: the
    // machine's speed drifts within a run, and the start/end baselines can be minutes away.
    const operation = { 'argon2-verify': 'verify', 'argon2-hash': 'hash' }[bound];
    const adjacentRate = async () =>
      (
        await argon2Rate({
          operation,
          params: argon2,
          seconds: settings.argon2Seconds / 2,
          concurrency: argon2.concurrency,
          signal,
        })
      ).rate;
    const before = operation ? await adjacentRate() : undefined;
    const warm = await run(settings.warmupSeconds);
    checkAborted();
    if (warm.errors || warm.non2xx) {
      results.failures.push(
        `${name} (warm-up): ${warm.errors} errors, ${warm.non2xx} non-2xx (status codes ${JSON.stringify(warm.statusCodes)})`,
      );
    }
    await sleep(300);
    if (refills) await fillPool(state, minPool, concurrency, signal);
    const cpu0 = stack.processes.map((p) => cpuSecondsOf(p.pid));
    const client0 = process.cpuUsage();
    const machine0 = machineBusySeconds();
    state.pool.exhausted = 0;
    const r = await run(s);
    checkAborted();
    const serviceCpu = stack.processes.reduce(
      (sum, p, i) => sum + (cpuSecondsOf(p.pid) ?? NaN) - (cpu0[i] ?? NaN),
      0,
    );
    const clientCores = round(cpuCores(process.cpuUsage(client0), r.seconds), 2);
    const machineCores = round(((machineBusySeconds() ?? NaN) - (machine0 ?? NaN)) / r.seconds, 2);
    const memory = stack.processes.map((p) => ({ process: p.name, ...memoryOf(p.pid) }));
    const after = operation ? await adjacentRate() : undefined;
    results.scenarios.push({
      key,
      name,
      ...r,
      boundKey: bound,
      adjacent: operation
        ? { name: `argon2id ${operation}`, before, after, rps: round((before + after) / 2, 1) }
        : undefined,
      clientCores,
      serviceCores: round(serviceCpu / r.seconds, 2),
      machineCores,
      memory,
      refreshPoolExhausted: state.pool.exhausted || undefined,
    });
    if (r.errors || r.non2xx) {
      results.failures.push(
        `${name}: ${r.errors} errors, ${r.non2xx} non-2xx (status codes ${JSON.stringify(r.statusCodes)})` +
          (state.pool.exhausted
            ? `; the refresh-token pool ran dry ${state.pool.exhausted} times`
            : ''),
      );
    }
    // Let the requests still in flight when the load stopped finish before the next scenario.
    await sleep(500);
  };

  const reqs = autocannonRequests(state);
  const ac = (url, requests, connections) => (s) =>
    runAutocannon({
      url,
      connections,
      seconds: s,
      maxRequests: settings.maxRequests,
      requests,
      signal,
    });
  const a2 = settings.argon2Connections;
  const c = settings.connections;
  const { authUrl, userUrl } = stack;
  await measure({
    key: 'register',
    name: 'POST /register',
    connections: a2,
    bound: 'argon2-hash',
    run: ac(authUrl, reqs.register, a2),
  });
  await measure({
    key: 'login',
    name: 'POST /login',
    connections: a2,
    bound: 'argon2-verify',
    run: ac(authUrl, reqs.login, a2),
  });
  await measure({
    key: 'refresh',
    name: 'POST /refresh',
    connections: c,
    bound: 'jose',
    run: ac(authUrl, reqs.refresh, c),
  });
  await measure({
    key: 'profile',
    name: 'GET /profile',
    connections: c,
    bound: 'jose',
    run: ac(userUrl, reqs.profile, c),
  });
  await measure({
    key: 'edit-bio',
    name: 'PATCH /edit-bio',
    connections: c,
    bound: 'jose',
    run: ac(userUrl, reqs.editBio, c),
  });
  await measure({
    key: 'mixed',
    name: 'mixed 70/20/8/2',
    connections: c,
    bound: 'mixed',
    seconds: settings.mixedSeconds,
    run: (s) =>
      runMix({
        kinds: mixKinds(state),
        connections: c,
        seconds: s,
        maxRequests: settings.maxRequests,
        signal,
      }),
  });
  // The same mix again on the same processes (memory only): a leak grows from round to round.
  const rssNow = () =>
    Object.fromEntries(stack.processes.map((p) => [p.name, memoryOf(p.pid).rssMB]));
  const rounds = selected('mixed') ? [rssNow()] : [];
  for (let round = 2; selected('mixed') && round <= settings.mixedRounds; round++) {
    log(
      `mixed 70/20/8/2, round ${round} of ${settings.mixedRounds} (memory): ${settings.mixedSeconds} s`,
    );
    await fillPool(state, minPool, concurrency, signal);
    const r = await runMix({
      kinds: mixKinds(state),
      connections: c,
      seconds: settings.mixedSeconds,
      maxRequests: settings.maxRequests,
      signal,
    });
    checkAborted();
    if (r.errors || r.non2xx) {
      results.failures.push(
        `mixed round ${round}: ${r.errors} errors, ${r.non2xx} non-2xx (status codes ${JSON.stringify(r.statusCodes)})`,
      );
    }
    rounds.push(rssNow());
  }
  // After the mixed workload: the highest RSS after any of its rounds.
  const afterMixed = new Map(
    stack.processes.map((p) => [
      p.name,
      rounds.length ? Math.max(...rounds.map((r) => r[p.name] ?? NaN)) : null,
    ]),
  );
  // prom-client's view of the same processes: how much of the RSS is V8's heap.
  const heapAfterMixed = new Map();
  for (const p of stack.processes) {
    heapAfterMixed.set(p.name, await heapStats(p.name === 'user' ? stack.userUrl : stack.authUrl));
  }

  if (selected('propagation')) {
    // Twice the samples: half the new accounts log out, the other half are deactivated.
    log(`event propagation: ${settings.samples * 2} samples, one at a time`);
    const register = await measureRegisterPropagation(state, settings.samples * 2, signal);
    checkAborted();
    const half = Math.ceil(register.accounts.length / 2);
    log(`revocation (logout) propagation: ${half} samples, one at a time`);
    const logout = await measureLogoutPropagation(state, register.accounts.slice(0, half), signal);
    checkAborted();
    log(`deactivation propagation: ${register.accounts.length - half} samples, one at a time`);
    const deactivation = await measureDeactivationPropagation(
      state,
      register.accounts.slice(half),
      signal,
    );
    checkAborted();
    delete register.accounts;
    results.propagation = { register, logout, deactivation };
    for (const [name, r] of [
      ['event propagation', register],
      ['revocation propagation', logout],
      ['deactivation propagation', deactivation],
    ]) {
      if (r.failures.length > 0) {
        results.failures.push(
          `${name}: ${r.failures.length} samples failed (first: ${r.failures[0]})`,
        );
      }
    }
  }

  results.memory = stack.processes.map((p) => {
    const m = memoryOf(p.pid);
    return {
      process: p.name,
      pid: p.pid,
      idleRssMB: idleRss.get(p.name),
      afterMixedMB: afterMixed.get(p.name),
      afterMixedRoundsMB: rounds.map((r) => r[p.name]),
      heapAfterMixed: heapAfterMixed.get(p.name),
      finalRssMB: m.rssMB,
      peakRssMB: m.peakRssMB,
    };
  });

  // The services idle now; the baselines again.
  await measureBaselines(baseEnv, 'end');
}

/** argon2id verify and hash in this process; bare Koa and Koa + jose each in a process of its own. */
async function measureBaselines(baseEnv, when) {
  const concurrency = argon2.concurrency;
  const record = (key, name, r) => {
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
  };
  for (const operation of ['verify', 'hash']) {
    log(
      `baseline (${when}): argon2id ${operation}, ${concurrency} at a time, ${settings.argon2Seconds} s`,
    );
    const cpu0 = process.cpuUsage();
    const r = await argon2Rate({
      operation,
      params: argon2,
      seconds: settings.argon2Seconds,
      concurrency,
      signal,
    });
    checkAborted();
    record(`argon2-${operation}`, `argon2id ${operation}`, {
      connections: concurrency,
      rps: r.rate,
      requests: r.operations,
      seconds: round(r.seconds, 2),
      p50: round(r.p50, 2),
      p99: round(r.p99, 2),
      errors: 0,
      non2xx: null,
      clientCores: round(cpuCores(process.cpuUsage(cpu0), r.seconds), 2),
    });
  }
  for (const [key, name, route] of [
    ['koa', 'bare Koa', '/ping'],
    ['jose', 'Koa + jose verify', '/verify'],
  ]) {
    log(`baseline (${when}): ${name}, ${settings.connections} connections, ${settings.seconds} s`);
    const server = await startBaselineServer(ROOT, key, baseEnv);
    liveProcesses.add(server.pid);
    cleanup.push(`stop the ${name} baseline`, server.stop);
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
    const load = (s) =>
      runAutocannon({
        url: server.url,
        connections: settings.connections,
        seconds: s,
        maxRequests: settings.maxRequests,
        requests: [{ method: 'GET', path: route, setupRequest: auth }],
        signal,
      });
    await load(settings.warmupSeconds);
    checkAborted();
    const cpu0 = process.cpuUsage();
    const server0 = cpuSecondsOf(server.pid);
    const r = await load(settings.seconds);
    checkAborted();
    record(key, name, {
      ...r,
      clientCores: round(cpuCores(process.cpuUsage(cpu0), r.seconds), 2),
      serverCores: round(((cpuSecondsOf(server.pid) ?? NaN) - (server0 ?? NaN)) / r.seconds, 2),
    });
    if (r.errors || r.non2xx)
      results.failures.push(`${name} (${when}): ${r.errors} errors, ${r.non2xx} non-2xx`);
    await server.stop();
    liveProcesses.delete(server.pid);
  }
}

/** Each scenario's bound and its ratio to it. */
function applyBounds() {
  const rate = (key) => results.baselines.find((b) => b.key === key)?.rps;
  const bounds = {
    'argon2-hash': { name: 'argon2id hash', rps: rate('argon2-hash') },
    'argon2-verify': { name: 'argon2id verify', rps: rate('argon2-verify') },
    jose: { name: 'Koa + jose', rps: rate('jose') },
  };
  if (Object.values(bounds).some((b) => !b.rps)) return; // the run ended before its baselines
  // A request of the mix costs its share of each bound's time: the mix's bound is the weighted harmonic mean.
  bounds.mixed = {
    name: 'weighted bounds',
    rps:
      1 /
      (0.9 / bounds.jose.rps +
        0.08 / bounds['argon2-verify'].rps +
        0.02 / bounds['argon2-hash'].rps),
  };
  for (const s of results.scenarios) {
    // The best baseline of the run, and (argon2-bound scenarios) the mean of the runs next to it.
    s.bestBound = bounds[s.boundKey];
    s.bestRatio = s.bestBound?.rps ? round(s.rps / s.bestBound.rps, 3) : null;
    s.bound = s.adjacent
      ? { name: `${s.adjacent.name}, adjacent`, rps: s.adjacent.rps }
      : s.bestBound;
    s.ratio = s.bound?.rps ? round(s.rps / s.bound.rps, 3) : null;
  }
}

function cpuCores(usage, secondsElapsed) {
  return (usage.user + usage.system) / 1e6 / secondsElapsed;
}

let exitCode = 0;
try {
  await main();
} catch (err) {
  const reason = signal.aborted ? abortReason : err.message;
  if (!results.failures.includes(reason)) results.failures.push(reason);
  if (!signal.aborted) console.error(err.plain ? `\n${err.message}` : err.stack);
  exitCode = interrupted ? (interrupted === 'SIGTERM' ? 143 : 130) : 1;
  // The services' last lines, before their folder is removed.
  if (!interrupted) {
    for (const p of stack?.processes ?? [])
      console.error(`\n--- last lines of ${p.name} ---\n${p.logTail(40)}`);
  }
}
const cleanupErrors = await runCleanups();
results.failures.push(...cleanupErrors);
clearTimeout(watchdog);
results.run.loadAverage.end = os.loadavg();
results.run.finishedAt = new Date().toISOString();
applyBounds();
results.targets = evaluateTargets(results);
if (results.failures.length > 0 && exitCode === 0) exitCode = 1;

console.log(`\n${renderReport(results).join('\n')}`);
const outDir = path.resolve(ROOT, args.out);
mkdirSync(outDir, { recursive: true });
const file = path.join(outDir, `${startedAt.toISOString().replace(/:/g, '-')}.json`);
writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nResults: ${path.relative(process.cwd(), file) || file}`);
process.exit(exitCode);
