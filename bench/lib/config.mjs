// A run's settings, from its options and the environment it was started with: how long and how hard
// each measurement runs, argon2's parameters, where Postgres and RabbitMQ are, and the environment
// the services and the baseline servers get.
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { RUNTIME_ENV } from './runtime-env.mjs';

/** The administrator the directory search runs as (bench/lib/directory.mjs), made at start-up. */
export const OPERATOR = {
  login: 'benchadmin',
  email: 'benchadmin@example.com',
  password: 'BenchAdmin123!',
};

/**
 * The passkeys' relying party in both modes: an http origin must be on localhost (the infra run's
 * APP_BASE_URL, http://127.0.0.1, is none), and the passkey login's authenticator signs for it.
 */
export const RELYING_PARTY = { rpId: 'localhost', origin: 'http://localhost:3000' };

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export function configure(args, env) {
  const seconds = args.duration ?? (args.quick ? 3 : 10);
  const argon2 = {
    memoryKiB: Number(env.ARGON2_MEMORY_KIB ?? 19_456),
    timeCost: Number(env.ARGON2_TIME_COST ?? 2),
    parallelism: Number(env.ARGON2_PARALLELISM ?? 1),
    concurrency: argon2Concurrency(env),
  };
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
    argon2Connections: 4 * argon2.concurrency,
    maxRequests: args.quick ? 200_000 : 2_000_000,
    /** Forgot-password requests measured one at a time, then sent at once (bench/lib/mail.mjs). */
    mailSamples: args.quick ? 20 : 200,
    mailBatch: args.quick ? 50 : 1000,
    /** The whole run, as a last resort against a hang. */
    watchdogMs: (args.quick ? 15 : 60) * 60_000,
  };
  const baseEnv = {
    // The services get only what they need: a developer's environment or .env never leaks in.
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
    // The mail measurements send many forgot-password requests, several to each seeded address.
    FORGOT_PASSWORD_RATE_PER_IP: '1000000000',
    MAIL_RATE_PER_ADDRESS: '1000000000',
    // The passkey login sends its options and login requests as fast as the service answers them.
    PASSKEY_LOGIN_RATE_PER_IP: '1000000000',
    CHALLENGE_AFTER_FAILURES: '0',
    // The operator the directory search runs as (lib/directory.mjs).
    ADMIN_LOGIN: OPERATOR.login,
    ADMIN_EMAIL: OPERATOR.email,
    ADMIN_PASSWORD: OPERATOR.password,
    WEBAUTHN_RP_ID: RELYING_PARTY.rpId,
    WEBAUTHN_ORIGINS: RELYING_PARTY.origin,
    ...RUNTIME_ENV,
    ARGON2_CONCURRENCY: String(argon2.concurrency),
    ...(env.UV_THREADPOOL_SIZE ? { UV_THREADPOOL_SIZE: env.UV_THREADPOOL_SIZE } : {}),
  };
  return {
    root: ROOT,
    args,
    settings,
    argon2,
    threadPoolSize: threadPoolSize(env),
    postgresUrl:
      env.BENCH_POSTGRES_URL ??
      env.TEST_POSTGRES_URL ??
      'postgres://postgres@127.0.0.1:5432/postgres',
    amqpUrl: env.BENCH_AMQP_URL ?? env.TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
    /** The baseline servers' environment; the services' adds the --env variables. */
    baseEnv,
    serviceEnv: { ...baseEnv, ...args.serviceEnv },
    selected: (key) => !args.only || args.only.has(key),
  };
}

/** libuv's thread pool size in this process (argon2 runs there, in the services too). */
function threadPoolSize(env) {
  const n = Number(env.UV_THREADPOOL_SIZE);
  return Number.isInteger(n) && n > 0 ? Math.min(n, 1024) : 4;
}

/**
 * argon2id computations the services run at once (their ARGON2_CONCURRENCY): one per core unless set.
 * The baseline runs as many: every core busy, which is the most this machine can do.
 */
function argon2Concurrency(env) {
  const n = Number(env.ARGON2_CONCURRENCY);
  return Number.isInteger(n) && n > 0 ? n : availableParallelism();
}
