import { availableParallelism } from 'node:os';
import { EnvReader, readSharedConfig, type EnvSource, type SharedConfig } from '@platform/common';
import { isPrivateJwk, type PrivateJwk } from './sessions/signing-keys.js';
import type { Argon2Params } from './accounts/passwords.js';
import type { ThrottleSettings } from './throttle/throttle-policy.js';
import { readMailSettings, type MailSettings } from './mail/mail-config.js';
import { readThrottleSettings } from './throttle/throttle-config.js';
import { readRecoverySettings, type RecoverySettings } from './recovery/recovery-config.js';
import { readSessionSettings, type SessionSettings } from './sessions/session-config.js';
import { readMfaSettings, type MfaSettings } from './factors/mfa-config.js';
import { readWebAuthnSettings, type WebAuthnSettings } from './passkeys/webauthn-config.js';
import {
  MIN_LENGTH_RANGE,
  NIST_MIN_LENGTH,
  PASSWORD_POLICIES,
  PASSWORD_POLICY_ALIASES,
  COMPOSITION_MIN_LENGTH,
  type PasswordPolicySettings,
} from './accounts/password-policy.js';

export interface AuthConfig extends SharedConfig {
  /** Empty means: use (or create) the development key in DATA_DIR; refused in production. */
  signingKeys: PrivateJwk[];
  signingKid: string | undefined;
  issuer: string;
  audience: string;
  accessTtlSeconds: number;
  refreshTtlSeconds: number;
  sessionMaxLifetimeSeconds: number;
  /** The refresh reuse interval. */
  sessions: SessionSettings;
  argon2: Argon2Params;
  passwordPolicy: PasswordPolicySettings;
  /** Brute-force locks, per-IP rate limits and the login challenge. */
  throttle: ThrottleSettings;
  /** SMTP, the sender and the courier. */
  mail: MailSettings;
  /** Mailed links and address verification. */
  recovery: RecoverySettings;
  /** Second factors: the key that seals TOTP secrets, the mfa_token, the factor lock, the policy. */
  mfa: MfaSettings;
  /** The relying party of passkeys: RP ID, name, allowed origins, challenge lifetime. */
  webauthn: WebAuthnSettings;
  outboxPollMs: number;
  /** How often the service itself runs the cleanup; 0: never (a CronJob runs `cleanup` instead). */
  cleanupIntervalMs: number;
  admin: { login: string; email: string; password: string; displayName: string } | undefined;
}

export function loadAuthConfig(source: EnvSource): Readonly<AuthConfig> {
  const env = new EnvReader(source);
  const shared = readSharedConfig(env, { port: 8000, database: 'auth.db' });
  const signingKeys = parseKeys(env, env.optionalString('JWT_PRIVATE_KEYS'));
  if (shared.mode === 'production' && signingKeys.length === 0) {
    env.fail(
      'JWT_PRIVATE_KEYS is required when NODE_ENV=production (create one with `npm run keygen`)',
    );
  }
  const signingKid = env.optionalString('JWT_SIGNING_KID');
  if (signingKid && signingKeys.length > 0 && !signingKeys.some((k) => k.kid === signingKid)) {
    env.fail(`JWT_SIGNING_KID "${signingKid}" is not the kid of any key in JWT_PRIVATE_KEYS`);
  }
  const adminLogin = env.optionalString('ADMIN_LOGIN');
  const admin = adminLogin
    ? {
        login: adminLogin,
        email: env.string('ADMIN_EMAIL'),
        password: env.string('ADMIN_PASSWORD'),
        displayName: env.string('ADMIN_DISPLAY_NAME', { default: 'Administrator' }),
      }
    : undefined;
  const refreshDays = env.int('REFRESH_TOKEN_EXPIRE_DAYS', { default: 7, min: 1, max: 365 });
  const sessionDays = env.int('SESSION_MAX_LIFETIME_DAYS', { default: 30, min: 1, max: 365 });
  if (sessionDays < refreshDays) {
    env.fail(
      `SESSION_MAX_LIFETIME_DAYS (${sessionDays}) must be at least REFRESH_TOKEN_EXPIRE_DAYS (${refreshDays})`,
    );
  }
  const recovery = readRecoverySettings(env, shared);
  return env.done({
    ...shared,
    signingKeys,
    signingKid,
    issuer: env.string('JWT_ISSUER', { default: 'auth-service' }),
    audience: env.string('JWT_AUDIENCE', { default: 'auth-user-platform' }),
    accessTtlSeconds:
      env.int('ACCESS_TOKEN_EXPIRE_MINUTES', { default: 30, min: 1, max: 24 * 60 }) * 60,
    refreshTtlSeconds: refreshDays * 86_400,
    sessionMaxLifetimeSeconds: sessionDays * 86_400,
    sessions: readSessionSettings(env),
    argon2: {
      memoryKiB: env.int('ARGON2_MEMORY_KIB', { default: 19_456, min: 1024, max: 4_194_304 }),
      timeCost: env.int('ARGON2_TIME_COST', { default: 2, min: 1, max: 100 }),
      parallelism: env.int('ARGON2_PARALLELISM', { default: 1, min: 1, max: 16 }),
      concurrency: env.int('ARGON2_CONCURRENCY', {
        default: availableParallelism(),
        min: 1,
        max: 1024,
      }),
    },
    passwordPolicy: readPasswordPolicy(env),
    throttle: readThrottleSettings(env),
    mail: readMailSettings(env, shared),
    recovery,
    mfa: readMfaSettings(env, shared),
    webauthn: readWebAuthnSettings(env, recovery.appBaseUrl),
    outboxPollMs: env.int('OUTBOX_POLL_MS', { default: 1000, min: 10, max: 60_000 }),
    cleanupIntervalMs:
      env.int('CLEANUP_INTERVAL_MINUTES', {
        default: shared.mode === 'production' ? 0 : 60,
        min: 0,
        max: 7 * 24 * 60,
      }) * 60_000,
    admin,
  });
}

/**
 * The commands that only work on the database (migrate, cleanup) read the shared settings alone: their
 * Jobs need no signing keys, no SMTP and no broker.
 */
export function loadDatabaseConfig(source: EnvSource): Readonly<SharedConfig> {
  const env = new EnvReader(source);
  return env.done(readSharedConfig(env, { port: 8000, database: 'auth.db' }));
}

export interface CourierConfig extends SharedConfig {
  /** COURIER_PORT: where the courier answers /healthz, /readyz and /metrics. */
  port: number;
  mail: MailSettings;
}

/**
 * The courier command reads the shared settings (the database, logging, shutdown) and the mail
 * settings only: its Deployment needs no signing keys.
 */
export function loadCourierConfig(source: EnvSource): Readonly<CourierConfig> {
  const env = new EnvReader(source);
  const shared = readSharedConfig(env, { port: 8002, database: 'auth.db' });
  return env.done({
    ...shared,
    port: env.int('COURIER_PORT', { default: 8002, min: 0, max: 65535 }),
    mail: readMailSettings(env, shared),
  });
}

/**
 * PASSWORD_MIN_LENGTH belongs to the nist policy. With the composition policy a value other than its 8 is
 * refused rather than ignored or applied, so that no one believes a minimum is in force that is not.
 */
function readPasswordPolicy(env: EnvReader): PasswordPolicySettings {
  const name = env.oneOf('PASSWORD_POLICY', PASSWORD_POLICIES, {
    default: 'composition',
    aliases: PASSWORD_POLICY_ALIASES,
  });
  const minLength = env.int('PASSWORD_MIN_LENGTH', {
    default: name === 'nist' ? NIST_MIN_LENGTH : COMPOSITION_MIN_LENGTH,
    ...MIN_LENGTH_RANGE,
  });
  if (name === 'composition' && minLength !== COMPOSITION_MIN_LENGTH) {
    env.fail(
      `PASSWORD_MIN_LENGTH applies to PASSWORD_POLICY=nist only (the composition policy's minimum is ${COMPOSITION_MIN_LENGTH}); unset it or set PASSWORD_POLICY=nist`,
    );
  }
  return { name, minLength };
}

function parseKeys(env: EnvReader, raw: string | undefined): PrivateJwk[] {
  if (raw === undefined) return [];
  try {
    const value: unknown = JSON.parse(raw);
    const keys = Array.isArray(value) ? value : [value];
    if (keys.length > 0 && keys.every(isPrivateJwk)) return keys;
  } catch {
    // reported below
  }
  env.fail(
    'JWT_PRIVATE_KEYS must be a JSON array of private Ed25519 JWKs, each with a kid (see `npm run keygen`)',
  );
  return [];
}
