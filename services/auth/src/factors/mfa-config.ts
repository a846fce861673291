import { hkdfSync } from 'node:crypto';
import { isRole, type EnvReader, type SharedConfig } from '@platform/common';
import { parseKeyring, type SecretKeyring } from './secret-box.js';

/** The second-factor settings (MFA_*, documented in .env.example). */
export interface MfaSettings {
  /** MFA_ENCRYPTION_KEYS; undefined outside production means: derive a development key. */
  keyring: SecretKeyring | undefined;
  /** The issuer authenticator apps show beside the account (the otpauth URI's issuer). */
  issuer: string;
  /** How long the mfa_token of a login waiting for its second factor is good. */
  tokenTtlSeconds: number;
  /** Failed second-factor attempts of an account that lock its second-factor verification. */
  maxFailures: number;
  /** How long that lock lasts, and the window the failures are counted in. */
  lockSeconds: number;
  /** Accounts with one of these roles must have a second factor before they get a session. */
  requiredRoles: readonly string[];
}

export function readMfaSettings(env: EnvReader, shared: SharedConfig): MfaSettings {
  const raw = env.optionalString('MFA_ENCRYPTION_KEYS');
  if (shared.mode === 'production' && raw === undefined) {
    env.fail(
      'MFA_ENCRYPTION_KEYS is required when NODE_ENV=production (it seals the TOTP secrets; see .env.example)',
    );
  }
  let keyring: SecretKeyring | undefined;
  if (raw !== undefined) {
    try {
      keyring = parseKeyring(raw);
    } catch (err) {
      env.fail(
        `MFA_ENCRYPTION_KEYS must be {"current": "<kid>", "keys": {"<kid>": "<32 bytes in base64>"}}: ${(err as Error).message}`,
      );
    }
  }
  const requiredRoles = (env.optionalString('MFA_REQUIRED_ROLES') ?? '')
    .split(',')
    .map((role) => role.trim())
    .filter((role) => role !== '');
  for (const role of requiredRoles) {
    if (!isRole(role)) env.fail(`MFA_REQUIRED_ROLES names "${role}", which is no role`);
  }
  return {
    keyring,
    issuer: env.string('MFA_ISSUER', { default: 'Auth Platform' }),
    tokenTtlSeconds: env.int('MFA_TOKEN_TTL_SECONDS', { default: 300, min: 1, max: 3600 }),
    maxFailures: env.int('MFA_MAX_FAILURES', { default: 5, min: 1, max: 100 }),
    lockSeconds: env.int('MFA_LOCK_MINUTES', { default: 15, min: 1, max: 24 * 60 }) * 60,
    requiredRoles,
  };
}

/**
 * Outside production without MFA_ENCRYPTION_KEYS: a key derived from the signing key, so the
 * embedded default and test stacks need no setting. It changes when the signing key does.
 */
export function derivedKeyring(signingKeyD: string): SecretKeyring {
  const key = Buffer.from(hkdfSync('sha256', signingKeyD, '', 'mfa-secret-box', 32));
  return { current: 'derived', keys: new Map([['derived', key]]) };
}
