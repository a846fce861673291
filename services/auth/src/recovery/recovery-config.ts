import type { EnvReader, SharedConfig } from '@platform/common';

export const EMAIL_VERIFICATION_MODES = ['off', 'optional', 'required'] as const;
/**
 * `off`: no verification mail at registration (one can still be asked for); `optional`: one is sent,
 * an unproven address changes nothing; `required`: an account cannot log in or refresh before its
 * address is proven, and registration no longer tells whether an email is taken.
 */
export type EmailVerificationMode = (typeof EMAIL_VERIFICATION_MODES)[number];

export interface RecoverySettings {
  emailVerification: EmailVerificationMode;
  /** The public origin the links in mails point at (the application, never a request's Host). */
  appBaseUrl: string;
  /** Path and query of a reset link after appBaseUrl, with `{token}` where the token goes. */
  resetPath: string;
  /** The same for verification and email-change links. */
  verifyPath: string;
  resetTokenTtlSeconds: number;
  verifyTokenTtlSeconds: number;
}

/** The recovery settings of loadAuthConfig (documented in .env.example). */
export function readRecoverySettings(env: EnvReader, shared: SharedConfig): RecoverySettings {
  if (shared.mode === 'production' && !env.has('APP_BASE_URL')) {
    env.fail(
      'APP_BASE_URL is required when NODE_ENV=production (the origin of the links in mails)',
    );
  }
  const appBaseUrl = env
    .url('APP_BASE_URL', { default: 'http://localhost:3000', protocols: ['http:', 'https:'] })
    .replace(/\/+$/, '');
  const linkPath = (name: string, fallback: string) => {
    const value = env.string(name, { default: fallback });
    if (!value.startsWith('/') || !value.includes('{token}')) {
      env.fail(`${name} must start with / and contain {token}, got "${value}"`);
    }
    return value;
  };
  return {
    emailVerification: env.oneOf('EMAIL_VERIFICATION', EMAIL_VERIFICATION_MODES, {
      default: 'optional',
    }),
    appBaseUrl,
    resetPath: linkPath('RESET_PASSWORD_PATH', '/reset-password?token={token}'),
    verifyPath: linkPath('VERIFY_EMAIL_PATH', '/verify-email?token={token}'),
    resetTokenTtlSeconds:
      env.int('RESET_TOKEN_TTL_MINUTES', { default: 30, min: 1, max: 24 * 60 }) * 60,
    verifyTokenTtlSeconds:
      env.int('VERIFY_TOKEN_TTL_HOURS', { default: 24, min: 1, max: 30 * 24 }) * 3600,
  };
}
