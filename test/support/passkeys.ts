import { expect } from 'vitest';
import type { Client } from './http-client.js';
import { SoftwareAuthenticator, type CeremonyOptions } from './software-authenticator.js';
import { TEST_ENV } from './stack.js';

/** The relying party of a test stack: the application at APP_BASE_URL, the WebAuthn defaults. */
export const TEST_ORIGIN = TEST_ENV.APP_BASE_URL;

export const newAuthenticator = (opts: { backedUp?: boolean; countSignatures?: boolean } = {}) =>
  new SoftwareAuthenticator({ origin: TEST_ORIGIN, ...opts });

/** Options for a registration (the password confirmed) and the authenticator's answer to them. */
export async function attest(
  api: Client,
  account: { token: string; password: string },
  authenticator: SoftwareAuthenticator,
  ceremony: CeremonyOptions = {},
) {
  const started = await api.post(
    '/passkeys/registration/options',
    { password: account.password },
    { token: account.token },
  );
  expect(started.status).toBe(200);
  return {
    challenge_id: started.body.challenge_id as string,
    response: authenticator.create(started.body.options, ceremony),
  };
}

/** Registers a passkey of `authenticator` to the account; returns the stored passkey. */
export async function addPasskey(
  api: Client,
  account: { token: string; password: string },
  authenticator: SoftwareAuthenticator,
  name?: string,
) {
  const attestation = await attest(api, account, authenticator);
  const res = await api.post(
    '/passkeys/registration',
    { ...attestation, ...(name === undefined ? {} : { name }) },
    { token: account.token },
  );
  expect(res.status).toBe(201);
  return res.body as { id: number; name: string };
}

/** A passwordless login's options and the authenticator's assertion for them. */
export async function assertion(
  api: Client,
  authenticator: SoftwareAuthenticator,
  ceremony: CeremonyOptions = {},
) {
  const started = await api.post('/login/passkey/options');
  expect(started.status).toBe(200);
  return {
    challenge_id: started.body.challenge_id as string,
    response: authenticator.get(started.body.options, ceremony),
  };
}
