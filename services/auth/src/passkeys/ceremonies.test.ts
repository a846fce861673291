import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SoftwareAuthenticator } from '../../../../test/support/software-authenticator.js';
import {
  checkAssertion,
  checkRegistration,
  creationOptions,
  requestOptions,
  type NewCredential,
} from './ceremonies.js';
import type { WebAuthnSettings } from './webauthn-config.js';

const settings: WebAuthnSettings = {
  rpId: 'app.example.test',
  rpName: 'Test',
  origins: ['https://app.example.test'],
  challengeTtlSeconds: 300,
};
const user = { userHandle: randomBytes(32).toString('base64url'), login: 'jo', displayName: 'Jo' };

async function enrolled(
  authenticator = new SoftwareAuthenticator({ origin: settings.origins[0]! }),
) {
  const options = await creationOptions(settings, user, []);
  const verdict = await checkRegistration(
    settings,
    authenticator.create(options),
    options.challenge,
  );
  if (!verdict.ok) throw new Error(verdict.reason);
  return { authenticator, credential: verdict.value };
}

const stored = (c: NewCredential, signCount = c.signCount) => ({ ...c, signCount });

describe('WebAuthn ceremonies', () => {
  it('When options are made for registration, then they ask for a resident key bound to the user handle, attestation none', async () => {
    const options = await creationOptions(settings, user, []);
    expect(options.rp).toEqual({ id: 'app.example.test', name: 'Test' });
    expect(options.user.id).toBe(user.userHandle);
    expect(options.authenticatorSelection).toMatchObject({
      residentKey: 'required',
      requireResidentKey: true,
    });
    expect(options.attestation).toBe('none');
    expect(Buffer.from(options.challenge, 'base64url').length).toBeGreaterThanOrEqual(32);
  });

  it('When a software authenticator registers, then its key, count, flags and transports are read from the attestation', async () => {
    const { credential } = await enrolled(
      new SoftwareAuthenticator({ origin: settings.origins[0]!, backedUp: true }),
    );
    expect(credential.signCount).toBe(1);
    expect(credential.backedUp).toBe(true);
    expect(credential.deviceType).toBe('multiDevice');
    expect(credential.transports).toEqual(['internal', 'hybrid']);
    expect(credential.publicKey.length).toBeGreaterThan(64);
  });

  it('When the attestation comes from another origin or answers another challenge, then it is refused', async () => {
    const authenticator = new SoftwareAuthenticator({ origin: settings.origins[0]! });
    const options = await creationOptions(settings, user, []);
    const foreign = authenticator.create(options, { origin: 'https://evil.example.test' });
    expect((await checkRegistration(settings, foreign, options.challenge)).ok).toBe(false);
    const other = await creationOptions(settings, user, []);
    const late = authenticator.create(other);
    expect((await checkRegistration(settings, late, options.challenge)).ok).toBe(false);
  });

  it('When the registered key signs an assertion, then it passes with the new count; passwordless needs UV', async () => {
    const { authenticator, credential } = await enrolled();
    const options = await requestOptions(settings);
    expect(options.userVerification).toBe('required');
    expect(options.allowCredentials).toBeUndefined();
    const verdict = await checkAssertion(
      settings,
      authenticator.get(options),
      options.challenge,
      stored(credential),
      true,
    );
    expect(verdict).toEqual({
      ok: true,
      value: { signCount: 2, userVerified: true, backedUp: false },
    });
    const unverified = await requestOptions(settings);
    const withoutUv = authenticator.get(unverified, { userVerified: false });
    expect(
      (await checkAssertion(settings, withoutUv, unverified.challenge, stored(credential, 2), true))
        .ok,
    ).toBe(false);
  });

  it('When the signature, the client data or the origin is tampered with, or the count goes back, then the assertion fails', async () => {
    const { authenticator, credential } = await enrolled();
    const check = async (response: ReturnType<SoftwareAuthenticator['get']>, challenge: string) =>
      (await checkAssertion(settings, response, challenge, stored(credential, 5), false)).ok;

    let options = await requestOptions(settings, [credential]);
    const good = authenticator.get(options, { signCount: 6 });
    const signature = Buffer.from(good.response.signature, 'base64url');
    signature[signature.length - 1]! ^= 0x01;
    const badSignature = {
      ...good,
      response: { ...good.response, signature: signature.toString('base64url') },
    };
    expect(await check(badSignature, options.challenge)).toBe(false);

    const clientData = JSON.parse(
      Buffer.from(good.response.clientDataJSON, 'base64url').toString(),
    );
    const swapped = Buffer.from(JSON.stringify({ ...clientData, crossOrigin: true }));
    const badClientData = {
      ...good,
      response: { ...good.response, clientDataJSON: swapped.toString('base64url') },
    };
    expect(await check(badClientData, options.challenge)).toBe(false);
    expect(await check(good, options.challenge)).toBe(true);

    options = await requestOptions(settings, [credential]);
    const phished = authenticator.get(options, { origin: 'https://app.example.test.evil.test' });
    expect(await check(phished, options.challenge)).toBe(false);
    expect(await check(authenticator.get(options, { signCount: 4 }), options.challenge)).toBe(
      false,
    );
    expect(await check(authenticator.get(options, { signCount: 5 }), options.challenge)).toBe(
      false,
    );
  });

  it('When an authenticator does not count (0 stored, 0 sent), then its assertions pass', async () => {
    const { authenticator, credential } = await enrolled(
      new SoftwareAuthenticator({ origin: settings.origins[0]!, countSignatures: false }),
    );
    expect(credential.signCount).toBe(0);
    const options = await requestOptions(settings, [credential]);
    const verdict = await checkAssertion(
      settings,
      authenticator.get(options),
      options.challenge,
      stored(credential),
      false,
    );
    expect(verdict.ok && verdict.value.signCount).toBe(0);
  });
});
