import { errors, type PassResult } from '@platform/common';
import type { Account } from '../accounts/account-repository.js';
import { authErrors } from '../auth-errors.js';
import type { Repositories } from '../data/store.js';
import type { AuthDeps, RequestContext } from '../deps.js';
import { hashMailToken } from './mail-token-repository.js';
import { issueLink, queueMail } from './mailer.js';
import { applyNewPassword, checkNewPassword } from './new-password.js';

/** Requests resolved per transaction. */
const RESOLVE_BATCH = 20;

/**
 * POST /password/forgot: the same answer, headers and work whatever the address. The request is
 * only counted and written down here; resolving it (looking the address up, mailing a link to an
 * active account) happens later, on the resolver's own schedule (resolveResetRequests).
 */
export async function requestPasswordReset(
  deps: AuthDeps,
  email: string,
  request: RequestContext,
): Promise<void> {
  await deps.throttle.limit('forgot', request.ip);
  await deps.throttle.limitMailsTo(email);
  await deps.store.repos.resetRequests.add({ email, ...request });
  deps.metrics.recovery('password_reset', 'requested');
}

/**
 * One pass over the waiting forgot-password requests: each is resolved and deleted in one
 * transaction (safe in several replicas: requests are claimed with SKIP LOCKED).
 */
export async function resolveResetRequests(deps: AuthDeps): Promise<PassResult> {
  const resolved = await deps.store.transaction(async (repos) => {
    const requests = await repos.resetRequests.claim(RESOLVE_BATCH);
    for (const request of requests) {
      const account = await repos.accounts.findByEmail(request.email);
      const context = { ip: request.ip ?? undefined, requestId: request.requestId ?? undefined };
      if (account?.isActive) await queueResetLink(deps, repos, account, request.requestId);
      await deps.audit.record(
        {
          action: 'password_reset_requested',
          outcome: account?.isActive ? 'success' : 'failure',
          reason: account ? (account.isActive ? undefined : 'account_inactive') : 'unknown_address',
          userId: account?.id,
          ...context,
        },
        repos.audit,
      );
      await repos.resetRequests.delete(request.id);
    }
    return requests.length;
  });
  if (resolved > 0) deps.mailsWritten();
  return resolved === RESOLVE_BATCH ? 'more' : 'idle';
}

/** Inside a transaction: a reset link for the account's address (older ones stop working), mailed. */
async function queueResetLink(
  deps: AuthDeps,
  repos: Repositories,
  account: Account,
  correlationId: string | null | undefined,
): Promise<void> {
  const link = await issueLink(deps, repos, {
    userId: account.id,
    purpose: 'reset',
    email: account.email,
  });
  await queueMail(repos, {
    to: account.email,
    locale: account.locale,
    template: 'password_reset',
    params: {
      login: account.login,
      link: link.url,
      expiresInMinutes: Math.round(link.ttlSeconds / 60),
    },
    correlationId: correlationId ?? undefined,
  });
}

/** POST /users/{id}/password-reset: an operator mails an account a reset link; audited. */
export async function sendPasswordReset(
  deps: AuthDeps,
  input: { userId: number; actorId: number; request: RequestContext },
): Promise<void> {
  await deps.store.transaction(async (repos) => {
    const account = await repos.accounts.findById(input.userId);
    if (!account) throw errors.notFound(`No account has id ${input.userId}.`);
    if (!account.isActive) throw errors.conflict('The account is deactivated.');
    await queueResetLink(deps, repos, account, input.request.requestId);
    await deps.audit.record(
      {
        action: 'password_reset_requested',
        outcome: 'success',
        reason: 'admin',
        userId: account.id,
        actorId: input.actorId,
        ...input.request,
      },
      repos.audit,
    );
  });
  deps.metrics.recovery('password_reset', 'requested');
  deps.mailsWritten();
}

/**
 * POST /password/reset: spends the token once and sets the password. Using the link proves the
 * address it was mailed to; every session of the account ends (both services), outstanding reset
 * links stop working, the account's brute-force locks are lifted and a notice is mailed. Every bad
 * token (unknown, used, expired, superseded, another purpose, a deactivated account) gets one answer.
 */
export async function resetPassword(
  deps: AuthDeps,
  input: { token: string; newPassword: string; request: RequestContext },
): Promise<void> {
  const { request } = input;
  await deps.throttle.limit('mail_token', request.ip);
  const hash = hashMailToken(input.token);
  const invalid = () => {
    deps.metrics.recovery('password_reset', 'invalid_token');
    return authErrors.invalidMailToken();
  };
  const owner = await deps.store.repos.mailTokens.find(hash, ['reset']);
  const account = owner && (await deps.store.repos.accounts.findById(owner.userId));
  if (!owner || !account?.isActive) throw invalid();
  checkNewPassword(deps, account, input.newPassword);
  const hashedPassword = await deps.passwords.hash(input.newPassword);
  const ended = await deps.store.transaction(async (repos) => {
    const spent = await repos.mailTokens.spend(hash, ['reset']);
    if (!spent || spent.userId !== account.id) return undefined;
    // The link was mailed to the address: using it proves the address, if it is still the account's.
    if (spent.email.toLowerCase() === account.email.toLowerCase()) {
      await repos.accounts.setEmailVerified(account.id, true);
    }
    return applyNewPassword(deps, repos, { account, hashedPassword, how: 'reset', request });
  });
  if (ended === undefined) throw invalid();
  await deps.throttle.forgetLogin(account.login);
  deps.eventsWritten();
  deps.mailsWritten();
  deps.metrics.sessionsRevoked('password_reset', ended);
  deps.metrics.recovery('password_reset', 'completed');
}
