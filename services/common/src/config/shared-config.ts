import path from 'node:path';
import type { EnvReader } from './env-reader.js';

/** The seed's queue name. */
export const USER_INFO_QUEUE = 'user_info';

export type RuntimeMode = 'development' | 'production' | 'test';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** Settings every service reads the same way. */
export interface SharedConfig {
  mode: RuntimeMode;
  host: string;
  port: number;
  logLevel: LogLevel;
  /** A `postgres://` URL, or a `sqlite:` path (relative to the working directory). */
  databaseUrl: string;
  /** Folder for the embedded default's files (SQLite databases, development keys). */
  dataDir: string;
  shutdownGraceMs: number;
  /** After SIGTERM, how long /readyz answers 503 before the listener closes (load balancers move away). */
  shutdownDelayMs: number;
  /** Connections in the Postgres pool. */
  databasePoolSize: number;
  /**
   * The longest a request waits on the database, its connection and statements together (and the
   * longest any one statement runs); past it the request gets 503.
   */
  databaseTimeoutMs: number;
  /** Apply pending migrations at start-up (the embedded default); otherwise refuse to start with them pending. */
  migrateOnStart: boolean;
  /**
   * How many reverse proxies (the gateway, an ingress) stand in front of the service and append to
   * X-Forwarded-For; the client IP is read that many hops from the right. 0: the peer address.
   */
  trustProxyHops: number;
  /** RabbitMQ; absent means the in-process bus (the embedded default). */
  amqp: { url: string; queue: string } | undefined;
  /**
   * Where /metrics, /healthz and /readyz are served apart from the API (the public port then serves
   * no /metrics); absent: all on the public port.
   */
  managementPort: number | undefined;
  /** How long a client may take to send a request's headers, and the whole request (then 408). */
  http: HttpTimeouts;
}

export interface HttpTimeouts {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
}

export function readSharedConfig(
  env: EnvReader,
  defaults: { port: number; database: string },
): SharedConfig {
  const mode = env.oneOf('NODE_ENV', ['development', 'production', 'test'], {
    default: 'development',
  });
  const dataDir = path.resolve(env.string('DATA_DIR', { default: 'data' }));
  const databaseUrl = env.string('DATABASE_URL', {
    default: `sqlite:${path.join(dataDir, defaults.database)}`,
  });
  if (!/^(postgres|postgresql):\/\/|^sqlite:/.test(databaseUrl)) {
    env.fail('DATABASE_URL must start with postgres://, postgresql:// or sqlite:');
  }
  if (mode === 'production' && !env.has('DATABASE_URL')) {
    env.fail('DATABASE_URL is required when NODE_ENV=production');
  }
  return {
    mode,
    host: env.string('HOST', { default: '0.0.0.0' }),
    port: env.int('PORT', { default: defaults.port, min: 0, max: 65535 }),
    logLevel: env.oneOf(
      'LOG_LEVEL',
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
      {
        default: mode === 'test' ? 'silent' : 'info',
      },
    ),
    databaseUrl,
    dataDir,
    shutdownGraceMs: env.int('SHUTDOWN_GRACE_MS', { default: 10_000, min: 0, max: 600_000 }),
    shutdownDelayMs: env.int('SHUTDOWN_DELAY_MS', { default: 0, min: 0, max: 600_000 }),
    databasePoolSize: env.int('DATABASE_POOL_SIZE', { default: 10, min: 1, max: 200 }),
    databaseTimeoutMs: env.int('DATABASE_TIMEOUT_MS', { default: 5000, min: 100, max: 120_000 }),
    migrateOnStart: env.bool('MIGRATE_ON_START', { default: mode !== 'production' }),
    trustProxyHops: env.int('TRUST_PROXY_HOPS', { default: 0, min: 0, max: 10 }),
    amqp: env.has('AMQP_URL')
      ? {
          url: env.url('AMQP_URL', { protocols: ['amqp:', 'amqps:'] }),
          queue: env.string('AMQP_QUEUE', { default: USER_INFO_QUEUE }),
        }
      : undefined,
    managementPort: env.has('MANAGEMENT_PORT')
      ? env.int('MANAGEMENT_PORT', { default: 0, min: 0, max: 65535 })
      : undefined,
    http: readHttpTimeouts(env),
  };
}

/** HTTP_HEADERS_TIMEOUT_MS and HTTP_REQUEST_TIMEOUT_MS (also read by the courier). */
export function readHttpTimeouts(env: EnvReader): HttpTimeouts {
  const headersTimeoutMs = env.int('HTTP_HEADERS_TIMEOUT_MS', {
    default: 5_000,
    min: 100,
    max: 600_000,
  });
  const requestTimeoutMs = env.int('HTTP_REQUEST_TIMEOUT_MS', {
    default: 10_000,
    min: 100,
    max: 600_000,
  });
  if (requestTimeoutMs < headersTimeoutMs) {
    env.fail('HTTP_REQUEST_TIMEOUT_MS must not be less than HTTP_HEADERS_TIMEOUT_MS');
  }
  return { headersTimeoutMs, requestTimeoutMs };
}
