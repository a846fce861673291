import { errors } from '@platform/common';
import type { Account } from '../accounts/account-repository.js';
import { authErrors } from '../auth-errors.js';
import type { Repositories } from '../data/store.js';
import type { AuthDeps, RequestContext } from '../deps.js';
import { applyEmailChange } from './email-change.js';
import { hashMailToken } from './mail-token-repository.js';
import { issueLink, queueMail } from './mailer.js';

/**
 * Inside a transaction: a verification token bound to the account's current address, and the mail
 * that carries it. Earlier verification links stop working.
 */
export async function queueVerification(
  deps: AuthDeps,
  repos: Repositories,
  account: Account,
  correlationId?: string,
): Promise<void> {
  const link = await issueLink(deps, repos, {
    userId: account.id,
    purpose: 'verify',
    email: account.email,
  });
  await queueMail(repos, {
    to: account.email,
    locale: account.locale,
    template: 'verify_email',
    params: {
      login: account.login,
      link: link.url,
      expiresInHours: Math.round(link.ttlSeconds / 3600),
    },
    correlationId,
  });
}

/** POST /email/verification: a new link for the caller's address, unless it is proven already. */
export async function resendVerification(
  deps: AuthDeps,
  userId: number,
  request: RequestContext,
): Promise<void> {
  const account = await deps.store.repos.accounts.findById(userId);
  if (!account) throw errors.notFound(`No account has id ${userId}.`);
  if (account.emailVerified) return;
  await deps.throttle.limitMailsTo(account.email);
  await mailVerification(deps, account, request);
}

/** A verification link for the account, with its audit record, committed and handed to the courier. */
export async function mailVerification(
  deps: AuthDeps,
  account: Account,
  request: RequestContext,
): Promise<void> {
  await deps.store.transaction(async (repos) => {
    await queueVerification(deps, repos, account, request.requestId);
    await deps.audit.record(
      { action: 'email_verification_sent', outcome: 'success', userId: account.id, ...request },
      repos.audit,
    );
  });
  deps.metrics.recovery('email_verification', 'requested');
  deps.mailsWritten();
}

/**
 * POST /email/verify: spends a verification or email-change token. A verification token proves the
 * account's address only while it is still the address the link was mailed to; an email-change
 * token moves the account to the address it was mailed to (see applyEmailChange).
 */
export async function verifyEmail(
  deps: AuthDeps,
  token: string,
  request: RequestContext,
): Promise<void> {
  await deps.throttle.limit('mail_token', request.ip);
  const flow = await deps.store.transaction(async (repos) => {
    const spent = await repos.mailTokens.spend(hashMailToken(token), ['verify', 'email_change']);
    const account = spent && (await repos.accounts.findById(spent.userId));
    if (!spent || !account?.isActive) return undefined;
    if (spent.purpose === 'email_change') {
      await applyEmailChange(deps, repos, account, spent.email, request);
      return 'email_change' as const;
    }
    if (spent.email.toLowerCase() !== account.email.toLowerCase()) return undefined;
    await repos.accounts.setEmailVerified(account.id, true);
    await repos.mailTokens.end(account.id, ['verify'], 'verified');
    await deps.audit.record(
      { action: 'email_verified', outcome: 'success', userId: account.id, ...request },
      repos.audit,
    );
    return 'email_verification' as const;
  });
  if (!flow) {
    deps.metrics.recovery('email_verification', 'invalid_token');
    throw authErrors.invalidMailToken();
  }
  deps.metrics.recovery(flow, 'completed');
  deps.mailsWritten();
}

/** An administrator vouches for an account's address (PUT /users/{id}/email-verified). */
export async function markEmailVerified(
  deps: AuthDeps,
  input: { userId: number; actorId: number; request: RequestContext },
): Promise<Account> {
  return deps.store.transaction(async (repos) => {
    const account = await repos.accounts.findById(input.userId);
    if (!account) throw errors.notFound(`No account has id ${input.userId}.`);
    if (await repos.accounts.setEmailVerified(account.id, true)) {
      await repos.mailTokens.end(account.id, ['verify'], 'verified');
      await deps.audit.record(
        {
          action: 'email_verified',
          outcome: 'success',
          reason: 'admin',
          userId: account.id,
          actorId: input.actorId,
          ...input.request,
        },
        repos.audit,
      );
    }
    return { ...account, emailVerified: true };
  });
}
