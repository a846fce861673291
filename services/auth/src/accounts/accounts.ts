import { errors } from '@platform/common';
import { authErrors } from '../auth-errors.js';
import type { MailLocale } from '../mail/mail.js';
import type { Account } from './account-repository.js';
import { deactivated, reactivated } from './account-events.js';
import type { Repositories } from '../data/store.js';
import type { AuthDeps, RequestContext } from '../deps.js';
import { endSessions } from '../sessions/revocation.js';

export const DEFAULT_ROLE = 'user';
export const ADMIN_ROLE = 'admin';

/**
 * Deactivates (soft-deletes) an account: every session ends (with a `Sessions Revoked` event), the
 * caller's token is blacklisted and an `Account Deactivate` event is written. Deactivating an inactive
 * account changes nothing. The last active administrator cannot be deactivated.
 */
export async function deactivateAccount(
  deps: AuthDeps,
  input: {
    userId: number;
    currentToken?: { jti: string; exp: number };
    /** The administrator who acts, when it is not the account itself. */
    actorId?: number | undefined;
    request?: RequestContext | undefined;
  },
): Promise<Account> {
  const correlationId = input.request?.requestId;
  const revoked = await deps.store.transaction(async (repos) => {
    const account = await repos.accounts.findById(input.userId);
    if (!account) throw errors.notFound(`No account has id ${input.userId}.`);
    if (account.isActive && account.roles.includes(ADMIN_ROLE)) {
      await assertNotLastAdmin(repos, account.id);
    }
    if (!(await repos.accounts.deactivate(account.id))) return undefined;
    const eventId = await repos.outbox.add(deactivated(account.id, correlationId));
    await repos.accounts.setDeactivationEvent(account.id, eventId);
    const sessions = await endSessions(repos, {
      userId: account.id,
      reason: 'deactivation',
      correlationId,
    });
    if (input.currentToken) {
      await repos.sessions.blacklist([
        {
          jti: input.currentToken.jti,
          userId: account.id,
          expiresAt: new Date(input.currentToken.exp * 1000),
        },
      ]);
    }
    await deps.audit.record(
      {
        action: 'account_deactivated',
        outcome: 'success',
        reason: input.actorId === undefined ? 'self' : 'admin',
        userId: account.id,
        actorId: input.actorId,
        ...input.request,
        details: { sessions_ended: sessions },
      },
      repos.audit,
    );
    return sessions;
  });
  if (revoked !== undefined) {
    deps.eventsWritten();
    deps.metrics.sessionsRevoked('deactivation', revoked);
  }
  const account = await deps.store.repos.accounts.findById(input.userId);
  return account!;
}

/**
 * Makes a deactivated account active again: it can log in, and an `Account Reactivate` event makes
 * its profile active in the user service. The sessions its deactivation ended stay ended.
 * Reactivating an active account changes nothing (no event, no audit record).
 */
export async function reactivateAccount(
  deps: AuthDeps,
  input: { userId: number; actorId: number; request?: RequestContext | undefined },
): Promise<Account> {
  const changed = await deps.store.transaction(async (repos) => {
    const account = await repos.accounts.findById(input.userId);
    if (!account) throw errors.notFound(`No account has id ${input.userId}.`);
    if (!(await repos.accounts.reactivate(account.id))) return false;
    const deactivation = await repos.accounts.deactivationEvent(account.id);
    await repos.outbox.add(reactivated(account.id, deactivation, input.request?.requestId));
    await deps.audit.record(
      {
        action: 'account_reactivated',
        outcome: 'success',
        reason: 'admin',
        userId: account.id,
        actorId: input.actorId,
        ...input.request,
      },
      repos.audit,
    );
    return true;
  });
  if (changed) deps.eventsWritten();
  return (await deps.store.repos.accounts.findById(input.userId))!;
}

/** PUT /account/locale: the language of the account's mails from now on. */
export async function setAccountLocale(
  deps: AuthDeps,
  userId: number,
  locale: MailLocale,
): Promise<Account> {
  await deps.store.repos.accounts.setLocale(userId, locale);
  const account = await deps.store.repos.accounts.findById(userId);
  if (!account) throw errors.notFound(`No account has id ${userId}.`);
  return account;
}

/**
 * Inside a transaction: refuses (409) a change that would leave no active administrator. Concurrent
 * changes to administrators take turns, so two of them cannot each remove "the other" one.
 */
export async function assertNotLastAdmin(repos: Repositories, userId: number): Promise<void> {
  await repos.accounts.lockRole(ADMIN_ROLE);
  if ((await repos.accounts.countActiveWithRole(ADMIN_ROLE, userId)) === 0) {
    throw authErrors.lastAdministrator();
  }
}
