import type { EnvReader } from '@platform/common';

export interface SessionSettings {
  /**
   * How long after a rotation the refresh token it replaced, presented again, gets the same
   * successor instead of ending the session (two tabs, a retried request); 0: never.
   */
  refreshReuseIntervalMs: number;
}

/** The session settings of loadAuthConfig (documented in .env.example). */
export function readSessionSettings(env: EnvReader): SessionSettings {
  return {
    refreshReuseIntervalMs:
      env.int('REFRESH_REUSE_INTERVAL_SECONDS', { default: 10, min: 0, max: 300 }) * 1000,
  };
}
