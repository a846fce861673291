// The terminal table and the target checks.

const fmt = (value, digits = 1) =>
  value === null || value === undefined || Number.isNaN(value)
    ? '-'
    : typeof value === 'number'
      ? value.toFixed(digits)
      : String(value);

function table(header, rows, alignLeft = new Set([0])) {
  const cells = [header, ...rows].map((row) => row.map((c) => String(c)));
  const widths = header.map((_, i) => Math.max(...cells.map((row) => row[i].length)));
  const line = (row) =>
    row
      .map((c, i) => (alignLeft.has(i) ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)];
}

/** The whole report as lines of text. */
/** RSS may move this much between the first and the last round of the mixed workload (noise). */
const GROWTH_TOLERANCE = 0.05;

export function renderReport(results) {
  const out = [];
  const { run } = results;
  out.push(
    `Benchmark ${run.quick ? '(quick)' : '(full)'}: ${run.stack}`,
    `${run.startedAt}, Node ${run.node}, ${run.cpus} cores (${run.cpuModel}), load average ${run.loadAverage.start.map((l) => l.toFixed(2)).join(' ')} at start, ${run.loadAverage.end.map((l) => l.toFixed(2)).join(' ')} at end; argon2id m=${run.argon2.memoryKiB} KiB t=${run.argon2.timeCost} p=${run.argon2.parallelism}, ${run.argon2.concurrency ?? '?'} at a time, UV_THREADPOOL_SIZE=${run.threadPoolSize}; LOG_LEVEL=${run.logLevel}`,
  );
  const extraEnv = Object.entries(run.serviceEnv ?? {});
  if (extraEnv.length > 0)
    out.push(`services' extra environment: ${extraEnv.map(([k, v]) => `${k}=${v}`).join(' ')}`);
  out.push('');
  const rows = [];
  for (const b of results.baselines) {
    rows.push([
      `${b.name} [baseline]`,
      b.connections,
      fmt(b.rps),
      fmt(b.p50, 2),
      fmt(b.p99, 2),
      fmt(b.errors, 0),
      fmt(b.non2xx, 0),
      `best of: start ${fmt(b.runs.start?.rps)}, end ${fmt(b.runs.end?.rps)}`,
      '',
      fmt(b.clientCores, 2),
      '',
      '',
      '',
    ]);
  }
  for (const s of results.scenarios) {
    rows.push([
      s.name,
      s.connections,
      fmt(s.rps),
      fmt(s.p50, 2),
      fmt(s.p99, 2),
      fmt(s.errors, 0),
      fmt(s.non2xx, 0),
      s.bound ? `${s.bound.name} ${fmt(s.bound.rps)}` : '-',
      s.bound ? fmt(s.ratio, 2) : '-',
      fmt(s.clientCores, 2),
      fmt(s.serviceCores, 2),
      fmt(s.machineCores, 2),
      s.memory.map((m) => `${m.process} ${fmt(m.rssMB, 0)}/${fmt(m.peakRssMB, 0)}`).join(' '),
    ]);
  }
  out.push(
    ...table(
      [
        'scenario',
        'conns',
        'req/s',
        'p50 ms',
        'p99 ms',
        'errors',
        'non-2xx',
        'bounded by (req/s)',
        'ratio',
        'bench cpu',
        'svc cpu',
        'host cpu',
        'RSS/peak MB after',
      ],
      rows,
      new Set([0, 7, 12]),
    ),
  );
  out.push(
    'cpu columns: cores used by the benchmark process, the service processes and the whole machine (other',
    "people's processes included); RSS/peak: each service process's VmRSS/VmHWM after the scenario;",
    'autocannon reports whole milliseconds; the mixed workload runs on its own client (bench/README.md).',
  );
  const mixed = results.scenarios.find((s) => s.perKind);
  if (mixed) {
    out.push('', `${mixed.name}, by kind:`);
    out.push(
      ...table(
        ['kind', 'share', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'non-2xx'],
        Object.entries(mixed.perKind).map(([name, k]) => [
          name,
          `${fmt(k.share * 100, 1)} %`,
          fmt(k.rps),
          fmt(k.p50, 2),
          fmt(k.p99, 2),
          fmt(k.errors, 0),
          fmt(k.non2xx, 0),
        ]),
      ).map((l) => `  ${l}`),
    );
  }
  const p = results.propagation;
  if (p) {
    out.push('', 'Propagation (answered by the auth service → seen by the user service):');
    const rowsP = [];
    for (const [name, r] of [
      ['event: register → profile readable', p.register],
      ['revocation: logout → 401', p.logout],
      ['deactivation: account-delete → 403', p.deactivation],
    ]) {
      if (!r) continue;
      rowsP.push([
        name,
        r.samples,
        fmt(r.p50, 2),
        fmt(r.p99, 2),
        fmt(r.max, 2),
        `${fmt(r.visibleAtFirstPoll * 100, 0)} %`,
        r.failures.length,
      ]);
    }
    out.push(
      ...table(['', 'samples', 'p50 ms', 'p99 ms', 'max ms', 'at 1st poll', 'failures'], rowsP).map(
        (l) => `  ${l}`,
      ),
    );
    out.push(
      '  at 1st poll: samples already visible at the first poll (the sample is then one poll round trip)',
    );
  }
  out.push('', 'Peak RSS (VmHWM) of each service process:');
  for (const m of results.memory) {
    out.push(
      `  ${m.process} (pid ${m.pid}): peak ${fmt(m.peakRssMB, 1)} MB; idle after start ${fmt(m.idleRssMB, 1)} MB, after the mixed workload ${fmt(m.afterMixedMB, 1)} MB, at the end ${fmt(m.finalRssMB, 1)} MB`,
    );
    if (m.afterMixedRoundsMB?.length > 1) {
      out.push(
        `    after each round of the mixed workload: ${m.afterMixedRoundsMB.map((v) => fmt(v, 1)).join(', ')} MB`,
      );
    }
    const h = m.heapAfterMixed;
    if (h) {
      out.push(
        `    after the mixed workload, V8 heap ${fmt(h.heapUsedMB, 1)} MB used of ${fmt(h.heapTotalMB, 1)} MB, external ${fmt(h.externalMB, 1)} MB`,
      );
    }
  }
  out.push('', 'Targets:');
  for (const t of results.targets) {
    out.push(
      `  [${t.met === null ? 'n/a' : t.met ? 'MET' : 'NOT MET'}] ${t.target}: ${t.measured}`,
    );
  }
  if (results.failures.length > 0) {
    out.push('', 'Errors:');
    for (const f of results.failures) out.push(`  - ${f}`);
  }
  return out;
}

/** The targets of the task, each with what was measured and whether it is met. */
export function evaluateTargets(results) {
  const byName = (name) => results.scenarios.find((s) => s.key === name);
  const targets = [];
  const login = byName('login');
  targets.push(
    login?.bound
      ? {
          target: 'login >= 0.9 x argon2id verify rate',
          met: login.ratio >= 0.9,
          measured: `${fmt(login.rps)} req/s = ${fmt(login.ratio, 2)} x ${fmt(login.bound.rps)} (${login.bound.name}; ${fmt(login.bestRatio, 2)} x the run's best, ${fmt(login.bestBound?.rps)})`,
        }
      : { target: 'login >= 0.9 x argon2id verify rate', met: null, measured: 'not run' },
  );
  const profile = byName('profile');
  if (profile?.bound) {
    const problems = profile.errors + profile.non2xx;
    targets.push(
      {
        target: 'GET /profile >= 0.6 x bare Koa + jose',
        met: profile.ratio >= 0.6,
        measured: `${fmt(profile.rps)} req/s = ${fmt(profile.ratio, 2)} x ${fmt(profile.bound.rps)}`,
      },
      {
        target: `GET /profile p99 < 10 ms at ${profile.connections} connections`,
        met: profile.connections >= 50 ? profile.p99 < 10 : null,
        measured: `p99 ${fmt(profile.p99, 2)} ms`,
      },
      {
        target: 'GET /profile zero errors',
        met: problems === 0,
        measured: `${profile.errors} errors, ${profile.non2xx} non-2xx`,
      },
    );
  } else {
    targets.push({ target: 'GET /profile targets', met: null, measured: 'not run' });
  }
  const reg = results.propagation?.register;
  targets.push(
    reg && reg.samples > 0
      ? {
          target: 'event propagation p99 < 50 ms',
          met: reg.p99 < 50 && reg.failures.length === 0,
          measured: `p99 ${fmt(reg.p99, 2)} ms over ${reg.samples} samples${reg.failures.length ? `, ${reg.failures.length} failed` : ''}`,
        }
      : { target: 'event propagation p99 < 50 ms', met: null, measured: 'not run' },
  );
  const revocation = results.propagation?.logout;
  targets.push(
    revocation && revocation.samples > 0
      ? {
          target: 'revocation propagation p99 < 200 ms',
          met: revocation.p99 < 200 && revocation.failures.length === 0,
          measured: `p99 ${fmt(revocation.p99, 2)} ms over ${revocation.samples} samples${revocation.failures.length ? `, ${revocation.failures.length} failed` : ''}`,
        }
      : { target: 'revocation propagation p99 < 200 ms', met: null, measured: 'not run' },
  );
  for (const m of results.memory) {
    targets.push({
      target: `${m.process}${m.process === 'embedded' ? ' (both services in one process)' : ' service'} < 150 MB RSS after the mixed workload`,
      met: m.afterMixedMB === null ? null : m.afterMixedMB < 150,
      measured:
        m.afterMixedMB === null
          ? 'mixed workload not run'
          : `${fmt(m.afterMixedMB, 1)} MB (peak ${fmt(m.peakRssMB, 1)} MB)`,
    });
  }
  for (const m of results.memory) {
    const rounds = m.afterMixedRoundsMB ?? [];
    const [first, last] = [rounds[0], rounds.at(-1)];
    targets.push({
      target: `${m.process}: no RSS growth across ${rounds.length > 1 ? rounds.length : 'three'} consecutive mixed runs (last within ${GROWTH_TOLERANCE * 100} % of the first)`,
      met: rounds.length > 1 ? last <= first * (1 + GROWTH_TOLERANCE) : null,
      measured:
        rounds.length > 1
          ? `${rounds.map((v) => fmt(v, 1)).join(' → ')} MB`
          : 'one round only (the full run has three)',
    });
  }
  return targets;
}
