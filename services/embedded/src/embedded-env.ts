import type { EnvSource } from '@platform/common';

/**
 * One environment, two services: `AUTH_*` and `USER_*` variants of the per-service variables
 * (PORT, DATABASE_URL, LOG_LEVEL) are mapped onto what each service reads; everything else is shared.
 * A management port is per service only (AUTH_MANAGEMENT_PORT, USER_MANAGEMENT_PORT): one process
 * cannot listen twice on MANAGEMENT_PORT.
 */
export function embeddedEnv(env: EnvSource): { auth: EnvSource; user: EnvSource } {
  const view = (prefix: 'AUTH' | 'USER', port: string) => {
    const out: Record<string, string | undefined> = { ...env, PORT: env[`${prefix}_PORT`] ?? port };
    for (const name of ['DATABASE_URL', 'LOG_LEVEL'] as const) {
      out[name] = env[`${prefix}_${name}`] ?? env[name];
    }
    out.MANAGEMENT_PORT = env[`${prefix}_MANAGEMENT_PORT`];
    if (prefix === 'USER') out.AUTH_JWKS_URL = env.AUTH_JWKS_URL;
    return out;
  };
  return { auth: view('AUTH', '8000'), user: view('USER', '8001') };
}
