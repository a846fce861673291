import { errors } from '@platform/common';
import { authErrors } from '../auth-errors.js';
import type { AuthDeps, RequestContext } from '../deps.js';
import { reauthenticate } from '../recovery/confirm-password.js';
import { mustKeepOneFactor } from '../factors/mfa-policy.js';
import { passkeyChangeCommitted, recordPasskeyChange } from './passkey-changes.js';
import type { Passkey } from './passkey-repository.js';

const unknownPasskey = (id: number) => errors.notFound(`You have no passkey with id ${id}.`);

export function listPasskeys(deps: AuthDeps, userId: number): Promise<Passkey[]> {
  return deps.store.repos.passkeys.listByUser(userId);
}

/** PATCH /passkeys/{id}: another account's passkey is as unknown as one that does not exist. */
export async function renamePasskey(
  deps: AuthDeps,
  input: { userId: number; passkeyId: number; name: string; request: RequestContext },
): Promise<Passkey> {
  const renamed = await deps.store.transaction(async (repos) => {
    const passkey = await repos.passkeys.rename(input.userId, input.passkeyId, input.name);
    if (!passkey) throw unknownPasskey(input.passkeyId);
    await deps.audit.record(
      {
        action: 'passkey_renamed',
        outcome: 'success',
        userId: input.userId,
        ...input.request,
        details: { passkey_id: passkey.id },
      },
      repos.audit,
    );
    return passkey;
  });
  deps.metrics.passkeyChange('renamed');
  return renamed;
}

/**
 * DELETE /passkeys/{id}: after the current password, removes one of the caller's passkeys, unless
 * it is the last second factor of an account whose role requires one. The other sessions end, a
 * notice is mailed, and the change is audited.
 */
export async function removePasskey(
  deps: AuthDeps,
  input: {
    userId: number;
    sessionId: string;
    passkeyId: number;
    password: string;
    altcha?: string | undefined;
    request: RequestContext;
  },
): Promise<void> {
  const account = await reauthenticate(
    deps,
    input.userId,
    { password: input.password, altcha: input.altcha, flow: 'passkeys' },
    input.request,
  );
  const ended = await deps.store.transaction(async (repos) => {
    await repos.passkeys.lockAccount(account.id);
    const passkey = await repos.passkeys.findOwned(account.id, input.passkeyId);
    if (!passkey) throw unknownPasskey(input.passkeyId);
    if (await mustKeepOneFactor(deps, repos, account)) throw authErrors.lastFactor();
    if (!(await repos.passkeys.remove(account.id, passkey.id))) throw unknownPasskey(passkey.id);
    return recordPasskeyChange(deps, repos, {
      account,
      kind: 'removed',
      passkey,
      keepSession: input.sessionId,
      request: input.request,
    });
  });
  passkeyChangeCommitted(deps, 'removed', ended);
}
