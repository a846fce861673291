import { randomUUID } from 'node:crypto';
import type {
  PublicKeyCredentialCreationOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { authErrors } from '../auth-errors.js';
import type { AuthDeps, RequestContext } from '../deps.js';
import { reauthenticate } from '../recovery/confirm-password.js';
import { checkRegistration, creationOptions } from './ceremonies.js';
import type { Passkey } from './passkey-repository.js';
import { passkeyChangeCommitted, recordPasskeyChange } from './passkey-changes.js';

/** What a passkey is called when its owner gives no name. */
export const DEFAULT_PASSKEY_NAME = 'Passkey';

/**
 * POST /passkeys/registration/options: once the current password is confirmed (checked like a
 * login's, with its locks), creation options for a discoverable credential bound to the account's
 * user handle, and the id of their challenge, kept for this account's registration only.
 */
export async function passkeyRegistrationOptions(
  deps: AuthDeps,
  input: { userId: number; password: string; altcha?: string | undefined; request: RequestContext },
): Promise<{ challengeId: string; options: PublicKeyCredentialCreationOptionsJSON }> {
  const account = await reauthenticate(
    deps,
    input.userId,
    { password: input.password, altcha: input.altcha, flow: 'passkeys' },
    input.request,
  );
  const { passkeys, webauthnChallenges } = deps.store.repos;
  const userHandle = await passkeys.userHandleOf(account.id);
  const options = await creationOptions(
    deps.webauthn,
    { userHandle, login: account.login, displayName: account.login },
    await passkeys.credentialsOf(account.id),
  );
  const challengeId = randomUUID();
  await webauthnChallenges.issue({
    id: challengeId,
    ceremony: 'registration',
    userId: account.id,
    challenge: options.challenge,
    ttlSeconds: deps.webauthn.challengeTtlSeconds,
  });
  deps.metrics.passkeyCeremony('registration', 'started');
  return { challengeId, options };
}

/**
 * POST /passkeys/registration: spends the challenge, checks the attestation and stores the
 * credential. The account's other sessions end, a notice is mailed, and the change is audited.
 */
export async function registerPasskey(
  deps: AuthDeps,
  input: {
    userId: number;
    sessionId: string;
    challengeId: string;
    response: RegistrationResponseJSON;
    name?: string | undefined;
    request: RequestContext;
  },
): Promise<Passkey> {
  const refuse = (detail: string) => {
    deps.metrics.passkeyCeremony('registration', 'failed');
    deps.logger.info(
      { userId: input.userId, reason: detail, requestId: input.request.requestId },
      'passkey registration refused',
    );
    return authErrors.passkeyRejected(400, detail);
  };
  const challenge = await deps.store.repos.webauthnChallenges.consume(
    input.challengeId,
    'registration',
    input.userId,
  );
  if (!challenge) {
    throw refuse('The challenge is unknown, used or expired; ask for new options.');
  }
  const verdict = await checkRegistration(deps.webauthn, input.response, challenge);
  if (!verdict.ok) throw refuse(`The authenticator's answer was refused: ${verdict.reason}`);
  const credential = verdict.value;
  const { passkey, ended } = await deps.store.transaction(async (repos) => {
    const account = await repos.accounts.findById(input.userId);
    if (!account) throw refuse('The account no longer exists.');
    const added = await repos.passkeys.add({
      userId: account.id,
      ...credential,
      name: input.name ?? DEFAULT_PASSKEY_NAME,
    });
    if (!added) throw authErrors.passkeyExists();
    const count = await recordPasskeyChange(deps, repos, {
      account,
      kind: 'added',
      passkey: added,
      keepSession: input.sessionId,
      request: input.request,
    });
    return { passkey: added, ended: count };
  });
  deps.metrics.passkeyCeremony('registration', 'succeeded');
  passkeyChangeCommitted(deps, 'added', ended);
  return passkey;
}
