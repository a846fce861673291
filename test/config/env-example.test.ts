import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadAuthConfig } from '@platform/auth';
import { loadCourierConfig } from '../../services/auth/src/config.js';
import { loadUserConfig } from '@platform/user';
import { embeddedEnv } from '@platform/embedded';
import { recordingEnv, variablesRead } from '../support/env-variables.js';

/** Every variable any entry point reads, the embedded runner's per-service overrides included. */
function allVariablesRead(): Set<string> {
  const seen = new Set([
    ...variablesRead(loadAuthConfig),
    ...variablesRead(loadUserConfig),
    ...variablesRead(loadCourierConfig),
  ]);
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
    expect([...allVariablesRead()].filter((name) => !documented.has(name))).toEqual([]);
  });

  it('When a variable is documented, then some entry point reads it', () => {
    const read = allVariablesRead();
    expect([...documented].filter((name) => !read.has(name))).toEqual([]);
  });
});
