import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { WebAuthnSettings } from './webauthn-config.js';

/** The WebAuthn ceremonies on @simplewebauthn/server: options out, responses checked; no storage. */

/**
 * The library, loaded by the first ceremony: with its ASN.1 and COSE dependencies it is 5 MB of heap
 * that a service whose users have no passkeys never needs.
 */
const webauthn = () => import('@simplewebauthn/server');

/** ES256 and EdDSA; RS256 for Windows Hello. */
const ALGORITHMS = [-7, -8, -257];

export interface NewCredential {
  credentialId: string;
  publicKey: Uint8Array;
  signCount: number;
  transports: string[];
  backedUp: boolean;
  deviceType: 'singleDevice' | 'multiDevice';
  aaguid: string;
}

export interface StoredCredential {
  credentialId: string;
  publicKey: Uint8Array;
  signCount: number;
  transports: string[];
}

export type Verdict<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Creation options for a discoverable credential (resident key required) bound to `userHandle`. */
export async function creationOptions(
  settings: WebAuthnSettings,
  user: { userHandle: string; login: string; displayName: string },
  exclude: readonly StoredCredential[],
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const { generateRegistrationOptions } = await webauthn();
  return generateRegistrationOptions({
    rpName: settings.rpName,
    rpID: settings.rpId,
    userID: Buffer.from(user.userHandle, 'base64url'),
    userName: user.login,
    userDisplayName: user.displayName,
    timeout: settings.challengeTtlSeconds * 1000,
    attestationType: 'none',
    excludeCredentials: exclude.map((c) => ({ id: c.credentialId, transports: c.transports })),
    authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
    supportedAlgorithmIDs: ALGORITHMS,
  });
}

/**
 * Request options. Without `allow` (passwordless) the authenticator picks a discoverable credential
 * and must verify the user; with it (a second factor) only those credentials are offered.
 */
export async function requestOptions(
  settings: WebAuthnSettings,
  allow?: readonly StoredCredential[],
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const { generateAuthenticationOptions } = await webauthn();
  return generateAuthenticationOptions({
    rpID: settings.rpId,
    timeout: settings.challengeTtlSeconds * 1000,
    userVerification: allow ? 'preferred' : 'required',
    ...(allow
      ? { allowCredentials: allow.map((c) => ({ id: c.credentialId, transports: c.transports })) }
      : {}),
  });
}

/** Checks an attestation against the challenge, the allowed origins and the RP ID. */
export async function checkRegistration(
  settings: WebAuthnSettings,
  response: RegistrationResponseJSON,
  challenge: string,
): Promise<Verdict<NewCredential>> {
  const { verifyRegistrationResponse } = await webauthn();
  try {
    const result = await verifyRegistrationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: settings.origins,
      expectedRPID: settings.rpId,
      requireUserVerification: false,
      supportedAlgorithmIDs: ALGORITHMS,
    });
    if (!result.verified) return { ok: false, reason: 'not verified' };
    const info = result.registrationInfo;
    return {
      ok: true,
      value: {
        credentialId: info.credential.id,
        publicKey: info.credential.publicKey,
        signCount: info.credential.counter,
        transports: response.response.transports ?? [],
        backedUp: info.credentialBackedUp,
        deviceType: info.credentialDeviceType,
        aaguid: info.aaguid,
      },
    };
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * Checks an assertion: the challenge, origin, RP ID, user presence (and verification when asked),
 * the signature over authenticatorData and clientDataJSON with the stored public key, and that the
 * sign count went up (both 0 is allowed: an authenticator that does not count).
 */
export async function checkAssertion(
  settings: WebAuthnSettings,
  response: AuthenticationResponseJSON,
  challenge: string,
  credential: StoredCredential,
  requireUserVerification: boolean,
): Promise<Verdict<{ signCount: number; userVerified: boolean; backedUp: boolean }>> {
  const { verifyAuthenticationResponse } = await webauthn();
  try {
    const result = await verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: settings.origins,
      expectedRPID: settings.rpId,
      credential: {
        id: credential.credentialId,
        publicKey: new Uint8Array(credential.publicKey),
        counter: credential.signCount,
        transports: credential.transports,
      },
      requireUserVerification,
    });
    if (!result.verified) return { ok: false, reason: 'signature not verified' };
    const info = result.authenticationInfo;
    return {
      ok: true,
      value: {
        signCount: info.newCounter,
        userVerified: info.userVerified,
        backedUp: info.credentialBackedUp,
      },
    };
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
}
