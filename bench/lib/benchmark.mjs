// A run's measurements in their order: the baselines; the SMTP sink and the services started and
// seeded; each row of the scenario table; the mixed workload's later rounds; propagation; mail; the
// typed client's overhead over raw fetch; the TOTP and passkey logins (accounts of their own); the
// directory search (Postgres); the memory figures; the baselines again, the services idle; and a
// second look at any scenario that fell more than a third below its committed ratio. Figures and errors go into `results`.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createState, fillPool, seedAccounts } from './accounts.mjs';
import { measureDirectory } from './directory.mjs';
import { measureBaselines } from './baselines.mjs';
import { measureClientOverhead } from './client-overhead.mjs';
import { measureMail } from './mail.mjs';
import { measurePasskeyLogin } from './passkey-login.mjs';
import { measureScenario } from './measure-scenario.mjs';
import { afterMixed, measureMixedRounds, memorySummary, rssOf } from './memory.mjs';
import { describeExit } from './processes.mjs';
import { measurePropagation } from './propagation.mjs';
import { SCENARIOS } from './scenarios.mjs';
import { takeSecondLook } from './second-look.mjs';
import { startSmtpSink } from './smtp-sink.mjs';
import { checkInfra, startStack } from './stack.mjs';
import { measureTotpLogin } from './totp-login.mjs';

/** `committed`: the ratios of bench/ratios.json, which the second look at a slow scenario needs. */
export async function runBenchmark({ config, results, life, log, committed }) {
  const { args } = config;
  // Before anything runs: the baselines alone take a while, and a missing broker is a typo to fix.
  if (args.infra) await checkInfra(config.postgresUrl, config.amqpUrl);
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'auth-user-bench-'));
  if (args.keep) log(`temporary folder (kept): ${workDir}`);
  else {
    life.defer('remove the temporary folder', async () =>
      rmSync(workDir, { recursive: true, force: true }),
    );
  }
  const base = { config, results, life, log };
  await measureBaselines(base, 'start');
  const { stack, sink } = await startServices(base, workDir);
  const idleRss = rssOf(stack.processes);
  life.checkAborted();
  const run = { ...base, stack, sink, ...(await seed(base, stack)) };
  for (const scenario of SCENARIOS) {
    if (config.selected(scenario.key)) await measureScenario(run, scenario);
  }
  const mixed = await afterMixed(stack, await measureMixedRounds(run));
  if (config.selected('propagation')) results.propagation = await measurePropagation(run);
  if (config.selected('mail')) results.mail = await measureMail(run);
  if (config.selected('client')) results.client = await measureClientOverhead(run);
  if (config.selected('totp-login')) results.totpLogin = await measureTotpLogin(run);
  if (config.selected('passkey-login')) results.passkeyLogin = await measurePasskeyLogin(run);
  if (config.selected('directory')) results.directory = await measureDirectory(run);
  results.memory = memorySummary(stack, idleRss, mixed);
  await measureBaselines(base, 'end');
  if (committed) await takeSecondLook(run, committed);
}

/** The SMTP sink, then the services, which deliver their mail to it (stopped in reverse order). */
async function startServices({ config, results, life, log }, workDir) {
  const { infra } = config.args;
  const sink = await startSmtpSink(workDir);
  life.defer('stop the SMTP sink', () => sink.close());
  log(
    `starting the services (${infra ? 'Postgres + RabbitMQ, two processes' : 'embedded default'})`,
  );
  const stack = await startStack({
    root: config.root,
    workDir,
    infra,
    postgresUrl: config.postgresUrl,
    amqpUrl: config.amqpUrl,
    env: { ...config.serviceEnv, ...sink.env },
    life,
    onUnexpectedExit: (name, exit) => {
      const failure = `${name} exited unexpectedly (${describeExit(exit)})`;
      results.failures.push(failure);
      life.abort(failure);
    },
  });
  for (const p of stack.processes) life.track(p);
  results.run.stack = stack.description;
  results.run.processes = stack.processes.map((p) => ({ name: p.name, pid: p.pid }));
  return { stack, sink };
}

/** Seeded accounts and a pool of refresh tokens, and `refill`, which tops the pool up again. */
async function seed({ config, life, log }, stack) {
  const { settings, threadPoolSize } = config;
  const state = createState({
    authUrl: stack.authUrl,
    userUrl: stack.userUrl,
    poolCapacity: 20_000,
  });
  log(`seeding ${settings.accounts} accounts`);
  await seedAccounts(state, settings.accounts, threadPoolSize, life.signal);
  life.checkAborted();
  const minPool = 4 * settings.connections;
  const refill = () => fillPool(state, minPool, threadPoolSize, life.signal);
  log(`pre-issuing refresh tokens (a pool of at least ${minPool})`);
  await refill();
  life.checkAborted();
  return { state, refill };
}
