import type { JWK } from 'jose';
import type { Client } from './http-client.js';

export type StackMode = 'embedded' | 'infra';

/**
 * Where the stack runs, from STACK_MODE: `embedded` (the default: both services in this process on
 * SQLite, joined by the in-process bus) or `infra` (each service a separate `node dist/main.js`
 * process on its own Postgres database, joined by a RabbitMQ queue of its own).
 */
export const STACK_MODE: StackMode = parseMode(process.env.STACK_MODE);

function parseMode(value: string | undefined): StackMode {
  if (value === undefined || value === '' || value === 'embedded') return 'embedded';
  if (value === 'infra') return 'infra';
  throw new Error(`STACK_MODE must be "embedded" or "infra", not "${value}"`);
}

/** A private Ed25519 JWK with its kid. */
export type SigningKey = JWK & { kid: string };

/**
 * One of the stack's databases. `query` takes `?` placeholders on both SQLite and Postgres and returns
 * the rows as the driver gives them: compare through Number() and Boolean(), since counts come back as
 * strings and booleans as 0/1 on one of the two.
 */
export interface StackDatabase {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
}

/** A message the user service's consumer gave up on, and why. */
export interface DeadLetter {
  id: string;
  reason: string;
}

export interface PublishOptions {
  /** The message id; a new UUID unless given (reuse one to send a duplicate). */
  id?: string;
  /** The message type; the payload's event_type unless given. */
  type?: string;
}

export interface Stack {
  readonly mode: StackMode;
  authApi: Client;
  userApi: Client;
  /** The private key the auth service signs with. */
  signingKey: SigningKey;
  authDb: StackDatabase;
  userDb: StackDatabase;
  /**
   * Publishes a payload for the user service as the outbox relay would (same message properties),
   * without the auth service; returns the message id.
   */
  publishRaw(payload: unknown, opts?: PublishOptions): Promise<string>;
  /**
   * Waits until every message given to publishRaw so far has been handled or dead-lettered. An id
   * published twice counts once: on RabbitMQ its second copy may still be in flight when this returns.
   */
  drained(): Promise<void>;
  /** The messages dead-lettered so far (left where they are). */
  deadLetters(): Promise<DeadLetter[]>;
  /** Waits until every event the auth service has written so far has been published and consumed. */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

/** Test settings: fast argon2 (the production parameters are exercised by the password unit tests). */
export const TEST_ENV = {
  NODE_ENV: 'test',
  HOST: '127.0.0.1',
  PORT: '0',
  LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  ARGON2_MEMORY_KIB: '4096',
  ARGON2_TIME_COST: '1',
  /** Deliveries of a failing event before it is dead-lettered (the same in both modes). */
  EVENT_MAX_ATTEMPTS: '3',
  /**
   * Every test registers and logs in from 127.0.0.1: brute-force limits out of the way (an account's
   * own are at most the NIST cap of 100) and no challenge; the brute-force tests set their own.
   */
  LOGIN_MAX_FAILURES_PER_ACCOUNT: '100',
  LOGIN_MAX_FAILURES_PER_ACCOUNT_IP: '100',
  LOGIN_MAX_FAILURES_PER_IP: '1000000',
  REGISTER_RATE_PER_IP: '1000000',
  REFRESH_RATE_PER_IP: '1000000',
  CHALLENGE_AFTER_FAILURES: '0',
  /**
   * A rotated refresh token presented again is reuse at once: the tests that replay one mean a copy.
   * The reuse interval's own tests (refresh-reuse-interval.test.ts) set it.
   */
  REFRESH_REUSE_INTERVAL_SECONDS: '0',
  FORGOT_PASSWORD_RATE_PER_IP: '1000000',
  MAIL_TOKEN_RATE_PER_IP: '1000000',
  MAIL_RATE_PER_ADDRESS: '1000000',
  PASSKEY_LOGIN_RATE_PER_IP: '1000000',
  /** Links in mails point here; the tests check no request can change it. */
  APP_BASE_URL: 'https://app.example.test',
} as const;

/**
 * Both real services, as STACK_MODE says, with databases and a queue no other stack shares. `env`
 * goes to both services (e.g. ADMIN_LOGIN, ADMIN_EMAIL, ADMIN_PASSWORD).
 */
export async function startStack(env: Record<string, string> = {}): Promise<Stack> {
  // Imported on demand: an embedded run never loads the broker client, an infra run never loads the
  // services' sources.
  if (STACK_MODE === 'infra') return (await import('./stack-infra.js')).startInfraStack(env);
  return (await import('./stack-embedded.js')).startEmbeddedStack(env);
}

/** Polls `probe` until it returns true; otherwise fails with `describe()` after `timeoutMs`. */
export async function pollUntil(
  probe: () => Promise<boolean>,
  describe: () => Promise<string> | string,
  timeoutMs: number,
  intervalMs = 25,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return;
    if (Date.now() >= deadline) throw new Error(await describe());
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
