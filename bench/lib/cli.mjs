// The command line: `npm run bench -- [options]`. Help and a wrong option end the process here,
// before anything has started.
import { SCENARIOS } from './scenarios.mjs';

/**
 * What --only may name: the load scenarios, the propagation, mail, client, second-factor login and
 * directory measurements.
 */
const SELECTABLE = [
  ...SCENARIOS.map((s) => s.key),
  'propagation',
  'mail',
  'client',
  'totp-login',
  'passkey-login',
  'directory',
];

const HELP = `Usage: npm run bench -- [options]

  --quick            a few seconds per scenario, ~100 propagation samples, 20 mail samples and a
                     batch of 50 mails (CI); default 1000 propagation samples, 200 and 1000 mails
  --infra            Postgres + RabbitMQ, each service a separate process (fresh databases and a
                     unique queue, removed afterwards); default: the embedded default (one process,
                     SQLite in a temporary DATA_DIR, in-process bus)
  --only a,b         run only these scenarios (${SELECTABLE.join(', ')}); the baselines always run;
                     totp-login and passkey-login seed accounts of their own (every kind of run
                     measures them; a quick run in about 15 s and 10 s, seeding included)
  --duration S       seconds per scenario (default 10, quick 3; the mixed workload twice as long)
  --samples N        propagation samples (default 1000, quick 100)
  --log-level L      the services' LOG_LEVEL (default info, as they ship; logs go to a file)
  --out DIR          where the JSON goes (default bench-results)
  --ratios FILE      the committed ratios the regression guard judges by (default bench/ratios.json)
  --keep             keep the temporary folder (services' logs, SQLite files)
  --env KEY=VALUE    an extra environment variable for the services (repeatable; for experiments)

Environment: BENCH_POSTGRES_URL (default TEST_POSTGRES_URL or postgres://postgres@127.0.0.1:5432/postgres),
BENCH_AMQP_URL (default TEST_AMQP_URL or amqp://guest:guest@127.0.0.1:5672), ARGON2_MEMORY_KIB,
ARGON2_TIME_COST, ARGON2_PARALLELISM (default 19456, 2, 1: the services' defaults), ARGON2_CONCURRENCY
(default: one per core, as in the services), UV_THREADPOOL_SIZE.`;

/** The options of `argv` (the arguments after the script). */
export function parseCommandLine(argv) {
  const args = {
    serviceEnv: {},
    quick: false,
    infra: false,
    keep: false,
    only: null,
    logLevel: 'info',
    out: 'bench-results',
    ratios: 'bench/ratios.json',
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
    else if (a === '--ratios') args.ratios = value();
    else if (a === '--env') {
      const [k, ...v] = value().split('=');
      if (!k || v.length === 0) usage('--env needs KEY=VALUE');
      args.serviceEnv[k] = v.join('=');
    } else if (a === '--help' || a === '-h') {
      console.log(HELP);
      process.exit(0);
    } else usage(`unknown option ${a}`);
  }
  for (const s of args.only ?? []) if (!SELECTABLE.includes(s)) usage(`unknown scenario ${s}`);
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
