import { randomUUID } from 'node:crypto';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import type { Repositories } from '../data/store.js';
import type { AuthDeps } from '../deps.js';
import { checkAssertion, requestOptions } from './ceremonies.js';

/** A passkey assertion that passed every check. */
export interface VerifiedAssertion {
  userId: number;
  passkeyId: number;
  credentialId: string;
  userVerified: boolean;
  backedUp: boolean;
  /** `multiDevice`: backup eligible, a synced passkey; `singleDevice`: bound to its authenticator. */
  deviceType: 'singleDevice' | 'multiDevice';
}

/** What the passkey adds to a session's `amr` (RFC 8176): a hardware or a software-synced key. */
export const passkeyAmr = (assertion: VerifiedAssertion): 'hwk' | 'swk' =>
  assertion.deviceType === 'multiDevice' ? 'swk' : 'hwk';

export type AssertionResult =
  { ok: true; value: VerifiedAssertion } | { ok: false; reason: string };

/**
 * Request options and their challenge. Without `userId`, a passwordless login: no credential
 * named, user verification required, the challenge bound to no account. With it, a second factor
 * for that account (whose password is proven): its passkeys are offered and the challenge is its
 * own.
 */
export async function passkeyAssertionOptions(
  deps: AuthDeps,
  input: { userId?: number | undefined } = {},
): Promise<{ challengeId: string; options: PublicKeyCredentialRequestOptionsJSON }> {
  const { passkeys, webauthnChallenges } = deps.store.repos;
  const allow = input.userId === undefined ? undefined : await passkeys.credentialsOf(input.userId);
  const options = await requestOptions(deps.webauthn, allow);
  const challengeId = randomUUID();
  const ceremony = input.userId === undefined ? 'login' : 'second_factor';
  await webauthnChallenges.issue({
    id: challengeId,
    ceremony,
    userId: input.userId ?? null,
    challenge: options.challenge,
    ttlSeconds: deps.webauthn.challengeTtlSeconds,
  });
  deps.metrics.passkeyCeremony(ceremony, 'started');
  return { challengeId, options };
}

/**
 * The whole check of an assertion, for a passwordless login (no `userId`) and for a second factor
 * (the account whose password is proven): the challenge is spent (once, for this ceremony and
 * account, unexpired); the credential is known and, for a second factor, the account's; the user
 * handle, when the authenticator returns one, is the credential's account's (a passwordless login
 * must return it); origin, RP ID, user presence, user verification (passwordless: required), the
 * signature, and a sign count that went up (0 and 0 allowed). The new count is stored by
 * compare-and-swap, so an assertion racing another with the same count is refused. Never throws
 * for a bad response: the caller decides what a refusal answers. Inside a transaction, pass its
 * repositories.
 */
export async function verifyPasskeyAssertion(
  deps: AuthDeps,
  input: {
    userId?: number | undefined;
    response: AuthenticationResponseJSON;
    challengeId: string;
  },
  repos: Repositories = deps.store.repos,
): Promise<AssertionResult> {
  const passwordless = input.userId === undefined;
  const ceremony = passwordless ? 'login' : 'second_factor';
  const result = await assertionVerdict(repos, deps, input, passwordless);
  deps.metrics.passkeyCeremony(ceremony, result.ok ? 'succeeded' : 'failed');
  return result;
}

async function assertionVerdict(
  repos: Repositories,
  deps: AuthDeps,
  input: { userId?: number | undefined; response: AuthenticationResponseJSON; challengeId: string },
  passwordless: boolean,
): Promise<AssertionResult> {
  const { passkeys, webauthnChallenges } = repos;
  const refused = (reason: string): AssertionResult => ({ ok: false, reason });
  const challenge = await webauthnChallenges.consume(
    input.challengeId,
    passwordless ? 'login' : 'second_factor',
    input.userId ?? null,
  );
  if (!challenge) return refused('challenge unknown, used, expired or for another ceremony');
  const credential = await passkeys.findByCredentialId(input.response.id);
  if (!credential) return refused('unknown credential');
  if (!passwordless && credential.userId !== input.userId) {
    return refused('credential of another account');
  }
  const userHandle = input.response.response.userHandle;
  if (userHandle === undefined || userHandle === '') {
    if (passwordless) return refused('no user handle');
  } else if ((await passkeys.userIdByHandle(userHandle)) !== credential.userId) {
    return refused("user handle is not the credential's account's");
  }
  const verdict = await checkAssertion(
    deps.webauthn,
    input.response,
    challenge,
    credential,
    passwordless,
  );
  if (!verdict.ok) return refused(verdict.reason);
  const recorded = await passkeys.recordUse(credential.id, {
    previousCount: credential.signCount,
    signCount: verdict.value.signCount,
    backedUp: verdict.value.backedUp,
  });
  if (!recorded) return refused('sign count changed by a concurrent assertion');
  return {
    ok: true,
    value: {
      userId: credential.userId,
      passkeyId: credential.id,
      credentialId: credential.credentialId,
      userVerified: verdict.value.userVerified,
      backedUp: verdict.value.backedUp,
      deviceType: credential.deviceType,
    },
  };
}
