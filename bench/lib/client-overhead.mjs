// The typed client's overhead over raw fetch (client/, @auth-user-platform/client): GET /profile with
// the seeded accounts' tokens, on the same number of loops, through the client and through fetch
// alone, in alternating rounds so that drift of the machine hits both. Per request: the wall time and
// the CPU time of this process, whose difference is what the client adds (routing, the token store,
// openapi-fetch's request building and parsing).
import { createPlatformClient, MemoryTokenStore } from '../../client/dist/index.js';
import { latencySummary, round } from './stats.mjs';

const LOOPS = 10;
const ROUNDS = 4;

export async function measureClientOverhead({ config, life, log, results, state }) {
  const seconds = config.settings.seconds;
  log(
    `client overhead: GET /profile, ${LOOPS} loops, ${ROUNDS} rounds of ${seconds / 2} s each way`,
  );
  const accounts = Array.from({ length: LOOPS }, () => state.nextAccount());
  const url = `${state.userUrl}/profile`;
  const raw = accounts.map((account) => async () => {
    const res = await fetch(url, { headers: { authorization: `Bearer ${account.access}` } });
    const body = await res.json();
    return res.status === 200 && typeof body.display_name === 'string';
  });
  const typed = accounts.map((account) => {
    const client = createPlatformClient({
      baseUrl: { auth: state.authUrl, user: state.userUrl },
      tokens: new MemoryTokenStore({ accessToken: account.access, refreshToken: 'not used' }),
    });
    return async () => {
      const { data, response } = await client.user.GET('/profile');
      return response.status === 200 && typeof data?.display_name === 'string';
    };
  });
  const figures = { raw: emptyFigures(), client: emptyFigures() };
  for (let round = 0; round < ROUNDS && !life.signal.aborted; round++) {
    await runLoops(raw, seconds / 2, figures.raw, life.signal);
    await runLoops(typed, seconds / 2, figures.client, life.signal);
  }
  life.checkAborted();
  const summary = Object.fromEntries(
    Object.entries(figures).map(([name, f]) => [name, summarise(f)]),
  );
  for (const [name, f] of Object.entries(figures)) {
    if (f.failures > 0)
      results.failures.push(`client overhead (${name}): ${f.failures} requests failed`);
  }
  return {
    loops: LOOPS,
    ...summary,
    rpsRatio: round(summary.client.rps / summary.raw.rps, 3),
    addedCpuUs: round(summary.client.cpuUsPerRequest - summary.raw.cpuUsPerRequest, 1),
    addedP50Ms: round(summary.client.p50 - summary.raw.p50, 2),
  };
}

const emptyFigures = () => ({ latencies: [], requests: 0, failures: 0, seconds: 0, cpuUs: 0 });

async function runLoops(operations, seconds, figures, signal) {
  const started = performance.now();
  const end = started + seconds * 1000;
  const cpu = process.cpuUsage();
  await Promise.all(
    operations.map(async (operation) => {
      while (performance.now() < end && !signal.aborted) {
        const t0 = performance.now();
        const ok = await operation().catch(() => false);
        figures.latencies.push(performance.now() - t0);
        figures.requests += 1;
        if (!ok) figures.failures += 1;
      }
    }),
  );
  const used = process.cpuUsage(cpu);
  figures.cpuUs += used.user + used.system;
  figures.seconds += (performance.now() - started) / 1000;
}

function summarise(f) {
  return {
    requests: f.requests,
    rps: round(f.requests / f.seconds, 1),
    ...latencySummary(f.latencies),
    cpuUsPerRequest: round(f.cpuUs / f.requests, 1),
    failures: f.failures,
  };
}
