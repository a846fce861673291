/** An environment that records every variable asked for; the given ones are set, the rest unset. */
export function recordingEnv(seen: Set<string>, set: Record<string, string> = {}) {
  return new Proxy(set as Record<string, string | undefined>, {
    get: (target, name) => {
      if (typeof name !== 'string') return undefined;
      seen.add(name);
      return target[name];
    },
  });
}

/** Variables read only when others are set (ADMIN_*, AMQP_*, production checks). */
const VARIANTS: Record<string, string>[] = [
  {},
  { ADMIN_LOGIN: 'admin', ADMIN_EMAIL: 'admin@example.com', ADMIN_PASSWORD: 'x' },
  { AMQP_URL: 'amqp://localhost' },
  { NODE_ENV: 'production' },
];

/** Every variable a settings loader reads, over the variants that unlock conditional ones. */
export function variablesRead(
  load: (env: Record<string, string | undefined>) => unknown,
): Set<string> {
  const seen = new Set<string>();
  for (const variant of VARIANTS) {
    try {
      load(recordingEnv(seen, variant));
    } catch {
      // a variant may be invalid on purpose (production without keys): what it read still counts
    }
  }
  return seen;
}
