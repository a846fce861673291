import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadAuthConfig } from '@platform/auth';
import { loadUserConfig } from '@platform/user';
import { embeddedEnv } from '@platform/embedded';

/** An environment that records every variable asked for; the given ones are set, the rest unset. */
function recordingEnv(seen: Set<string>, set: Record<string, string> = {}) {
  return new Proxy(set as Record<string, string | undefined>, {
    get: (target, name) => {
      if (typeof name !== 'string') return undefined;
      seen.add(name);
      return target[name];
    },
  });
}

/** Every variable any entry point reads; some are read only when another is set (ADMIN_*, AMQP_*). */
function variablesRead(): Set<string> {
  const seen = new Set<string>();
  loadAuthConfig(recordingEnv(seen));
  loadAuthConfig(
    recordingEnv(seen, { ADMIN_LOGIN: 'admin', ADMIN_EMAIL: 'a@example.com', ADMIN_PASSWORD: 'x' }),
  );
  loadUserConfig(recordingEnv(seen));
  loadUserConfig(recordingEnv(seen, { AMQP_URL: 'amqp://localhost' }));
  embeddedEnv(recordingEnv(seen));
  return seen;
}

const documented = new Set(
  readFileSync(new URL('../../.env.example', import.meta.url), 'utf8')
    .split('\n')
    .map((line) => /^([A-Z][A-Z0-9_]*)=/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined),
);

describe('.env.example', () => {
  it('When the services read their settings, then every variable they read is documented', () => {
    expect([...variablesRead()].filter((name) => !documented.has(name))).toEqual([]);
  });

  it('When a variable is documented, then some entry point reads it', () => {
    const read = variablesRead();
    expect([...documented].filter((name) => !read.has(name))).toEqual([]);
  });
});
