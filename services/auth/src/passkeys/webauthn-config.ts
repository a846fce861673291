import type { EnvReader } from '@platform/common';

/** The relying party of the passkeys: who the browser and the authenticator bind them to. */
export interface WebAuthnSettings {
  /** WEBAUTHN_RP_ID: the domain the credentials are scoped to (the public origins' host or a parent). */
  rpId: string;
  rpName: string;
  /** WEBAUTHN_ORIGINS: the public origins (scheme, host, port) the pages that use passkeys run on. */
  origins: string[];
  /** How long a ceremony's challenge can be answered, and the timeout the browser is given. */
  challengeTtlSeconds: number;
}

/**
 * The WebAuthn settings of loadAuthConfig (documented in .env.example). By default the relying
 * party is the application at APP_BASE_URL, whose pages call this service through the gateway: its
 * origin is the one allowed and its host the RP ID. Never the service's own URL, which no browser
 * shows. Each origin must be https, or http on localhost (a secure context either way).
 */
export function readWebAuthnSettings(env: EnvReader, appBaseUrl: string): WebAuthnSettings {
  const app = new URL(appBaseUrl);
  const listed = env.optionalString('WEBAUTHN_ORIGINS');
  const origins = (listed ?? app.origin)
    .split(',')
    .map((o) => o.trim())
    .filter((o) => o !== '');
  if (origins.length === 0) env.fail('WEBAUTHN_ORIGINS must list at least one origin');
  for (const origin of origins) {
    const problem = originProblem(origin);
    if (problem) env.fail(`WEBAUTHN_ORIGINS: "${origin}" ${problem}`);
  }
  const rpId = env.string('WEBAUTHN_RP_ID', { default: app.hostname }).toLowerCase();
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(rpId)) {
    env.fail(`WEBAUTHN_RP_ID must be a domain name without scheme or port, got "${rpId}"`);
  }
  for (const origin of origins.filter((o) => !originProblem(o))) {
    const host = new URL(origin).hostname;
    if (host !== rpId && !host.endsWith(`.${rpId}`)) {
      env.fail(
        `WEBAUTHN_RP_ID "${rpId}" must be the host of each of WEBAUTHN_ORIGINS or a parent domain of it ("${origin}" is not)`,
      );
    }
  }
  return {
    rpId,
    rpName: env.string('WEBAUTHN_RP_NAME', { default: 'Auth & User Platform' }),
    origins,
    challengeTtlSeconds: env.int('WEBAUTHN_CHALLENGE_TTL_SECONDS', {
      default: 300,
      min: 30,
      max: 600,
    }),
  };
}

/** Why a value is no origin a passkey can be used on, if it is not. */
function originProblem(origin: string): string | undefined {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return 'is not a URL';
  }
  if (url.origin !== origin)
    return `is not an origin (scheme://host[:port], no path); "${url.origin}"?`;
  const local = url.hostname === 'localhost' || url.hostname.endsWith('.localhost');
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) {
    return 'must use https (http only on localhost)';
  }
  return undefined;
}
