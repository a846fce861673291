import { createHmac, randomBytes } from 'node:crypto';
import { errors } from '@platform/common';
import { ADMIN_ROLE, assertNotLastAdmin } from '../accounts/accounts.js';
import { erased } from '../accounts/account-events.js';
import type { AuthDeps, RequestContext } from '../deps.js';
import { reauthenticate } from '../recovery/confirm-password.js';
import { endSessions } from '../sessions/revocation.js';

/**
 * The name an erased account's audit records carry instead of its login: an HMAC of its id under a
 * key drawn for this erasure and never kept, so the records of one account still read as one account
 * and nothing leads from the name back to the login.
 */
export function pseudonymOf(userId: number): string {
  const hmac = createHmac('sha256', randomBytes(32)).update(String(userId)).digest('hex');
  return `erased:${hmac.slice(0, 32)}`;
}

/**
 * Erases an account (GDPR art. 17) in one transaction: its sessions end in both services (`Sessions
 * Revoked`), an `Account Erased` event makes the user service delete the profile, every row of
 * ACCOUNT_ROWS is deleted (the login and the email are free again at once) and the audit records
 * about it are pseudonymised. The last active administrator cannot be erased.
 */
async function erase(
  deps: AuthDeps,
  input: { userId: number; actorId?: number | undefined; request: RequestContext },
): Promise<void> {
  const { request } = input;
  const pseudonym = pseudonymOf(input.userId);
  const result = await deps.store.transaction(async (repos) => {
    await repos.erasure.lockAccount(input.userId);
    const account = await repos.accounts.findById(input.userId);
    if (!account) throw errors.notFound(`No account has id ${input.userId}.`);
    if (account.isActive && account.roles.includes(ADMIN_ROLE)) {
      await assertNotLastAdmin(repos, account.id);
    }
    const sessions = await endSessions(repos, {
      userId: account.id,
      reason: 'erasure',
      correlationId: request.requestId,
    });
    await repos.outbox.add(erased(account.id, request.requestId));
    const addresses = await repos.erasure.addressesOf(account.id, account.email);
    await repos.erasure.deleteAccountRows({
      id: account.id,
      emailLower: account.email.toLowerCase(),
    });
    // The record of the erasure: by an operator, their address; by the account, none of its own.
    await deps.audit.record(
      {
        action: 'account_erased',
        outcome: 'success',
        reason: input.actorId === undefined ? 'self' : 'operator',
        userId: account.id,
        actorId: input.actorId,
        login: pseudonym,
        ip: input.actorId === undefined ? undefined : request.ip,
        requestId: request.requestId,
        details: { sessions_ended: sessions },
      },
      repos.audit,
    );
    await repos.erasure.pseudonymiseAudit(account.id, pseudonym);
    return { login: account.login, addresses, sessions };
  });
  await deps.throttle.forgetAccount(result.login, result.addresses);
  deps.eventsWritten();
  deps.metrics.sessionsRevoked('erasure', result.sessions);
  deps.metrics.erasure(input.actorId === undefined ? 'self' : 'operator');
}

/** DELETE /account: the caller's own erasure, after the current password (checked like a login's). */
export async function eraseOwnAccount(
  deps: AuthDeps,
  input: { userId: number; password: string; altcha?: string | undefined; request: RequestContext },
): Promise<void> {
  await reauthenticate(
    deps,
    input.userId,
    { password: input.password, altcha: input.altcha, flow: 'erasure' },
    input.request,
  );
  await erase(deps, { userId: input.userId, request: input.request });
}

/** DELETE /users/{user_id}: an operator erases any account, active or deactivated. */
export function eraseAccountByOperator(
  deps: AuthDeps,
  input: { userId: number; actorId: number; request: RequestContext },
): Promise<void> {
  return erase(deps, input);
}
