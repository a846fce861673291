// The report printed at the end of a run, from its results alone (the JSON holds the same).
import { fmt, table } from './format.mjs';

const LOAD_COLUMNS = ['req/s', 'p50 ms', 'p99 ms', 'errors', 'non-2xx'];
const indent = (lines) => lines.map((l) => `  ${l}`);

/** The whole report as lines of text. */
export function renderReport(results) {
  return [
    ...header(results.run),
    '',
    ...loadTable(results),
    ...mixTable(results.scenarios.find((s) => s.perKind)),
    ...propagationTable(results.propagation),
    ...mailTable(results.mail),
    ...clientTable(results.client),
    ...secondFactorTable(results.totpLogin, results.passkeyLogin),
    ...directoryTable(results.directory),
    '',
    'Peak RSS (VmHWM) of each service process:',
    ...results.memory.flatMap(memoryLines),
    '',
    'Targets:',
    ...results.targets.map(
      (t) => `  [${t.met === null ? 'n/a' : t.met ? 'MET' : 'NOT MET'}] ${t.target}: ${t.measured}`,
    ),
    ...(results.failures.length > 0
      ? ['', 'Errors:', ...results.failures.map((f) => `  - ${f}`)]
      : []),
  ];
}

function header(run) {
  const lines = [
    `Benchmark ${run.quick ? '(quick)' : '(full)'}: ${run.stack}`,
    `${run.startedAt}, Node ${run.node}, ${run.cpus} cores (${run.cpuModel}), load average ${run.loadAverage.start.map((l) => l.toFixed(2)).join(' ')} at start, ${run.loadAverage.end.map((l) => l.toFixed(2)).join(' ')} at end; argon2id m=${run.argon2.memoryKiB} KiB t=${run.argon2.timeCost} p=${run.argon2.parallelism}, ${run.argon2.concurrency ?? '?'} at a time, UV_THREADPOOL_SIZE=${run.threadPoolSize}; LOG_LEVEL=${run.logLevel}`,
  ];
  const extraEnv = Object.entries(run.serviceEnv ?? {});
  if (extraEnv.length > 0)
    lines.push(`services' extra environment: ${extraEnv.map(([k, v]) => `${k}=${v}`).join(' ')}`);
  return lines;
}

/** The cells of LOAD_COLUMNS. */
const loadCells = (r) => [
  fmt(r.rps),
  fmt(r.p50, 2),
  fmt(r.p99, 2),
  fmt(r.errors, 0),
  fmt(r.non2xx, 0),
];

/** The baselines and the scenarios, one row each. */
function loadTable({ baselines, scenarios }) {
  const rows = [
    ...baselines.map((b) => [
      `${b.name} [baseline]`,
      b.connections,
      ...loadCells(b),
      `best of: start ${fmt(b.runs.start?.rps)}, end ${fmt(b.runs.end?.rps)}`,
      '',
      fmt(b.clientCores, 2),
      '',
      '',
      '',
    ]),
    ...scenarios.map((s) => [
      s.name,
      s.connections,
      ...loadCells(s),
      s.bound ? `${s.bound.name} ${fmt(s.bound.rps)}` : '-',
      s.bound ? fmt(s.ratio, 2) : '-',
      fmt(s.clientCores, 2),
      fmt(s.serviceCores, 2),
      fmt(s.machineCores, 2),
      s.memory.map((m) => `${m.process} ${fmt(m.rssMB, 0)}/${fmt(m.peakRssMB, 0)}`).join(' '),
    ]),
  ];
  const columns = ['scenario', 'conns', ...LOAD_COLUMNS, 'bounded by (req/s)', 'ratio'];
  return [
    ...table(
      [...columns, 'bench cpu', 'svc cpu', 'host cpu', 'RSS/peak MB after'],
      rows,
      new Set([0, 7, 12]),
    ),
    'cpu columns: cores used by the benchmark process, the service processes and the whole machine (other',
    "people's processes included); RSS/peak: each service process's VmRSS/VmHWM after the scenario;",
    'autocannon reports whole milliseconds; the mixed workload runs on its own client (bench/README.md).',
    ...secondLooks(scenarios),
  ];
}

/** The regression guard's second looks (bench/lib/second-look.mjs), one line each. */
function secondLooks(scenarios) {
  const looked = scenarios.filter((s) => s.secondLook);
  if (looked.length === 0) return [];
  return [
    'second look (measured again at the end beside its bound, after falling more than a third below bench/ratios.json):',
    ...looked.map(
      ({ name, ratio, secondLook: l }) =>
        `  ${name}: ${fmt(l.rps)} req/s, p99 ${fmt(l.p99, 2)} ms, ${l.bound?.name ?? '-'} ${fmt(l.bound?.rps)}: ratio ${fmt(l.ratio, 2)} (first ${fmt(ratio, 2)})`,
    ),
  ];
}

function mixTable(mixed) {
  if (!mixed) return [];
  const rows = Object.entries(mixed.perKind).map(([name, k]) => [
    name,
    `${fmt(k.share * 100, 1)} %`,
    ...loadCells(k),
  ]);
  return [
    '',
    `${mixed.name}, by kind:`,
    ...indent(table(['kind', 'share', ...LOAD_COLUMNS], rows)),
  ];
}

/** The TOTP and passkey logins (bench/lib/totp-login.mjs, bench/lib/passkey-login.mjs). */
function secondFactorTable(...logins) {
  const measured = logins.filter(Boolean);
  if (measured.length === 0) return [];
  const rows = measured.map((l) => [
    l.name,
    `${l.accounts} in ${fmt(l.seedSeconds, 1)} s`,
    l.connections,
    l.logins,
    fmt(l.rps),
    fmt(l.p50, 2),
    fmt(l.p99, 2),
    fmt(l.max, 2),
    l.errors + l.non2xx,
    l.bound ? `${l.bound.name} ${fmt(l.bound.rps)}` : '-',
    fmt(l.ratio, 2),
    fmt(l.bestRatio, 2),
    fmt(l.clientCores, 2),
    fmt(l.serviceCores, 2),
  ]);
  const columns = [
    ...['login', 'accounts seeded', 'conns', 'logins', 'logins/s', 'p50 ms', 'p99 ms', 'max ms'],
    ...['failed', 'bounded by (req/s)', 'ratio', 'to best', 'bench cpu', 'svc cpu'],
  ];
  const waits = logins[0]?.waitsForStep;
  return [
    '',
    'Second-factor logins (a sample is the whole login, from its first request to its last answer):',
    ...indent(table(columns, rows, new Set([0, 1, 9]))),
    "  ratio: logins/s over the bound (TOTP: argon2 right before and after it); to best: over the run's best",
    ...(waits
      ? [
          `  the TOTP login waited ${waits} times for a time step: too few accounts, the figure is theirs`,
        ]
      : []),
  ];
}

function directoryTable(d) {
  if (!d || d.skipped) return [];
  return [
    '',
    `Directory search (GET /users?q=<prefix>, one at a time, ${fmt(d.accounts, 0)} accounts seeded in ${fmt(d.seedSeconds, 1)} s):`,
    ...indent(
      table(
        ['samples', 'p50 ms', 'p99 ms', 'max ms'],
        [[d.samples, fmt(d.p50, 2), fmt(d.p99, 2), fmt(d.max, 2)]],
      ),
    ),
  ];
}

function propagationTable(p) {
  if (!p) return [];
  const rows = [
    ['event: register → profile readable', p.register],
    ['revocation: logout → 401', p.logout],
    ['deactivation: account-delete → 403', p.deactivation],
  ]
    .filter(([, r]) => r)
    .map(([name, r]) => [
      name,
      r.samples,
      fmt(r.p50, 2),
      fmt(r.p99, 2),
      fmt(r.max, 2),
      `${fmt(r.visibleAtFirstPoll * 100, 0)} %`,
      r.failures.length,
    ]);
  const columns = ['', 'samples', 'p50 ms', 'p99 ms', 'max ms', 'at 1st poll', 'failures'];
  return [
    '',
    'Propagation (answered by the auth service → seen by the user service):',
    ...indent(table(columns, rows)),
    '  at 1st poll: samples already visible at the first poll (the sample is then one poll round trip)',
  ];
}

function mailTable(mail) {
  if (!mail) return [];
  const { queuedBefore: q, latency: l, throughput: t } = mail;
  const columns = ['', 'samples', 'p50 ms', 'p99 ms', 'max ms', 'min ms', 'failures'];
  const row = ['forgot password answered → reset mail accepted', l.samples];
  row.push(fmt(l.p50, 2), fmt(l.p99, 2), fmt(l.max, 2), fmt(l.min, 2), l.failures.length);
  const c = t.courier;
  return [
    '',
    'Mail (the courier delivering to the SMTP sink of this process, STARTTLS and AUTH):',
    ...indent(table(columns, [row])),
    '  the resolver polls every 250 ms and each request first waits 0-250 ms at random: p50 ≈ 125 ms',
    '  + resolving + delivery, min ≈ resolving + delivery',
    `  throughput: ${t.mails} forgot-password requests at once (answered in ${fmt(t.requestsSeconds, 2)} s), ${t.accepted} reset mails accepted, ${t.lost} lost:`,
    `    ${fmt(t.mailsPerSecond)} mails/s from the first accepted to the last (${fmt(t.seconds, 2)} s); ${fmt(t.endToEndMailsPerSecond)} mails/s from the first request`,
    `    (the first mail after ${fmt(t.firstMailMs, 0)} ms); all ${t.mails} queued after ${fmt(t.allQueuedMs, 0)} ms (the resolver's pace; at most ${t.maxPending ?? '?'} waiting),`,
    `    from then on the courier alone: ${fmt(t.drainMailsPerSecond)} mails/s; courier's auth_mails_total: +${c.sent} sent, +${c.retried} retried, +${c.failed} failed`,
    `  before: ${q.mails ?? '?'} mails in the queue (verification mails of earlier registrations), drained in ${fmt(q.seconds, 1)} s`,
  ];
}

function clientTable(c) {
  if (!c) return [];
  const columns = ['', 'requests', 'req/s', 'p50 ms', 'p99 ms', 'CPU µs/request', 'failures'];
  const rows = [
    ['fetch alone', c.raw],
    ['@auth-user-platform/client', c.client],
  ].map(([name, r]) => [
    name,
    r.requests,
    fmt(r.rps),
    fmt(r.p50, 2),
    fmt(r.p99, 2),
    fmt(r.cpuUsPerRequest, 1),
    r.failures,
  ]);
  return [
    '',
    `The typed client against fetch alone (GET /profile, ${c.loops} loops, alternating rounds):`,
    ...indent(table(columns, rows)),
    `  the client adds ${fmt(c.addedCpuUs, 1)} µs of CPU and ${fmt(c.addedP50Ms, 2)} ms at p50 per request; ${fmt(c.rpsRatio, 2)} x the requests per second of fetch alone`,
  ];
}

function memoryLines(m) {
  const lines = [
    `  ${m.process} (pid ${m.pid}): peak ${fmt(m.peakRssMB, 1)} MB; idle after start ${fmt(m.idleRssMB, 1)} MB, after the mixed workload ${fmt(m.afterMixedMB, 1)} MB, at the end ${fmt(m.finalRssMB, 1)} MB`,
  ];
  if (m.afterMixedRoundsMB?.length > 1) {
    lines.push(
      `    after each round of the mixed workload: ${m.afterMixedRoundsMB.map((v) => fmt(v, 1)).join(', ')} MB`,
    );
  }
  const h = m.heapAfterMixed;
  if (h) {
    lines.push(
      `    after the mixed workload, V8 heap ${fmt(h.heapUsedMB, 1)} MB used of ${fmt(h.heapTotalMB, 1)} MB, external ${fmt(h.externalMB, 1)} MB`,
    );
  }
  return lines;
}
