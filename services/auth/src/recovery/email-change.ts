import { errors, isUniqueViolation } from '@platform/common';
import type { Account } from '../accounts/account-repository.js';
import type { Repositories } from '../data/store.js';
import type { AuthDeps, RequestContext } from '../deps.js';
import { reauthenticate } from './confirm-password.js';
import { issueLink, queueMail } from './mailer.js';

/**
 * POST /email/change: after the current password, mails the new address a link that applies the
 * change (nothing changes before it is used) and tells the current address. A new address that
 * belongs to another account gets the same answer and the same mail to the current address; its
 * owner is told instead of a link being sent.
 */
export async function requestEmailChange(
  deps: AuthDeps,
  input: {
    userId: number;
    newEmail: string;
    currentPassword: string;
    altcha?: string | undefined;
    request: RequestContext;
  },
): Promise<void> {
  const { request } = input;
  const account = await reauthenticate(
    deps,
    input.userId,
    { password: input.currentPassword, altcha: input.altcha, flow: 'email_change' },
    request,
  );
  if (input.newEmail.toLowerCase() === account.email.toLowerCase()) return;
  await deps.throttle.limitMailsTo(input.newEmail);
  const owner = await deps.store.repos.accounts.findByEmail(input.newEmail);
  await deps.store.transaction(async (repos) => {
    if (owner) {
      await queueMail(repos, {
        to: owner.email,
        locale: owner.locale,
        template: 'email_in_use',
        params: { attempt: 'email_change' },
        correlationId: request.requestId,
      });
    } else {
      await queueChangeLink(deps, repos, account, input.newEmail, request.requestId);
    }
    await queueMail(repos, {
      to: account.email,
      locale: account.locale,
      template: 'email_change_requested',
      params: { login: account.login, newEmail: input.newEmail },
      correlationId: request.requestId,
    });
    await deps.audit.record(
      {
        action: 'email_change_requested',
        outcome: owner ? 'failure' : 'success',
        reason: owner ? 'address_taken' : undefined,
        userId: account.id,
        ...request,
      },
      repos.audit,
    );
  });
  deps.metrics.recovery('email_change', 'requested');
  deps.mailsWritten();
}

async function queueChangeLink(
  deps: AuthDeps,
  repos: Repositories,
  account: Account,
  newEmail: string,
  correlationId: string,
): Promise<void> {
  const link = await issueLink(deps, repos, {
    userId: account.id,
    purpose: 'email_change',
    email: newEmail,
  });
  await queueMail(repos, {
    to: newEmail,
    locale: account.locale,
    template: 'email_change',
    params: {
      login: account.login,
      newEmail,
      link: link.url,
      expiresInHours: Math.round(link.ttlSeconds / 3600),
    },
    correlationId,
  });
}

/**
 * Inside the transaction that spent an email-change token: moves the account to the proven address
 * and tells the old one. Links mailed to the old address stop working. A new address taken since
 * the link was sent is a 409, and the token stays unspent (the transaction rolls back).
 */
export async function applyEmailChange(
  deps: AuthDeps,
  repos: Repositories,
  account: Account,
  newEmail: string,
  request: RequestContext,
): Promise<void> {
  const taken = () => errors.conflict('Another account now has this address.');
  const holder = await repos.accounts.findByEmail(newEmail);
  if (holder && holder.id !== account.id) throw taken();
  try {
    await repos.accounts.setEmail(account.id, newEmail);
  } catch (err) {
    if (isUniqueViolation(err)) throw taken();
    throw err;
  }
  await repos.mailTokens.end(account.id, ['verify', 'email_change', 'reset'], 'email_changed');
  await queueMail(repos, {
    to: account.email,
    locale: account.locale,
    template: 'email_changed',
    params: { login: account.login, newEmail },
    correlationId: request.requestId,
  });
  await deps.audit.record(
    { action: 'email_changed', outcome: 'success', userId: account.id, ...request },
    repos.audit,
  );
}
