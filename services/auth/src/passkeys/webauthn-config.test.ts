import { describe, expect, it } from 'vitest';
import { ConfigError, EnvReader } from '@platform/common';
import { readWebAuthnSettings } from './webauthn-config.js';

const read = (env: Record<string, string>, appBaseUrl = 'http://localhost:3000') => {
  const reader = new EnvReader(env);
  return reader.done(readWebAuthnSettings(reader, appBaseUrl));
};

const problems = (env: Record<string, string>) => {
  try {
    read(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.join('\n');
    throw err;
  }
  return '';
};

describe('WebAuthn settings', () => {
  it('When nothing is set, then the relying party is the application at APP_BASE_URL', () => {
    expect(read({})).toEqual({
      rpId: 'localhost',
      rpName: 'Auth & User Platform',
      origins: ['http://localhost:3000'],
      challengeTtlSeconds: 300,
    });
    expect(read({}, 'https://app.example.com/base').origins).toEqual(['https://app.example.com']);
  });

  it('When several origins of one domain are listed, then a parent domain is a valid RP ID', () => {
    const settings = read({
      WEBAUTHN_RP_ID: 'example.com',
      WEBAUTHN_ORIGINS: 'https://app.example.com, https://example.com',
    });
    expect(settings.origins).toEqual(['https://app.example.com', 'https://example.com']);
  });

  it('When an origin is not an https origin of the RP ID, then start-up stops naming it', () => {
    expect(
      problems({ WEBAUTHN_ORIGINS: 'http://app.example.com', WEBAUTHN_RP_ID: 'example.com' }),
    ).toMatch(/WEBAUTHN_ORIGINS: "http:\/\/app.example.com" must use https/);
    expect(problems({ WEBAUTHN_ORIGINS: 'https://app.example.com/login' })).toMatch(
      /is not an origin/,
    );
    expect(
      problems({ WEBAUTHN_ORIGINS: 'https://evil.test', WEBAUTHN_RP_ID: 'example.com' }),
    ).toMatch(/WEBAUTHN_RP_ID "example.com" must be the host/);
    expect(problems({ WEBAUTHN_RP_ID: 'https://localhost' })).toMatch(/must be a domain name/);
    expect(problems({ WEBAUTHN_ORIGINS: ' , ' })).toMatch(/at least one origin/);
  });
});
