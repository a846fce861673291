import type { EnvReader } from '@platform/common';

export interface SessionSettings {
  /**
   * How long after a rotation the refresh token it replaced, presented again, gets the same
   * successor instead of ending the session (two tabs, a retried request); 0: never.
   */
  refreshReuseIntervalMs: number;
  /** Mail the owner when a login comes from a browser and system none of its sessions had. */
  newSignInNotice: boolean;
}

/** The session settings of loadAuthConfig (documented in .env.example). */
export function readSessionSettings(env: EnvReader): SessionSettings {
  return {
    refreshReuseIntervalMs:
      env.int('REFRESH_REUSE_INTERVAL_SECONDS', { default: 10, min: 0, max: 300 }) * 1000,
    newSignInNotice: env.bool('NEW_SIGN_IN_NOTICE', { default: false }),
  };
}
