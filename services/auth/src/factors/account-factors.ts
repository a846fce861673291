import { errors } from '@platform/common';
import type { Account } from '../accounts/account-repository.js';
import { authErrors } from '../auth-errors.js';
import type { AuthDeps, RequestContext } from '../deps.js';
import { reauthenticate } from '../recovery/confirm-password.js';
import { queueMail } from '../recovery/mailer.js';
import { endSessions } from '../sessions/revocation.js';
import { factorMethods } from './factor-methods.js';
import { mustKeepOneFactor } from './mfa-policy.js';
import { issueRecoveryCodes } from './recovery-code-factor.js';
import { beginTotpEnrolment, confirmed, confirmTotp } from './totp-enrolment.js';
import type { TotpEnrolment } from './totp.js';

/** The caller of a factor change: its account, session and request, and the password it gave. */
export interface FactorCaller {
  userId: number;
  sessionId: string;
  request: RequestContext;
}

interface Reauthenticated extends FactorCaller {
  password: string;
  altcha?: string | undefined;
}

const confirmCurrentPassword = (deps: AuthDeps, input: Reauthenticated) =>
  reauthenticate(
    deps,
    input.userId,
    { password: input.password, altcha: input.altcha, flow: 'second_factor' },
    input.request,
  );

/** GET /mfa: what the account can prove a login with. */
export async function mfaStatus(deps: AuthDeps, userId: number) {
  const { repos } = deps.store;
  const totp = await repos.factors.totpOf(userId);
  return {
    methods: await factorMethods(repos, userId),
    totp: !totp ? 'none' : totp.confirmed ? 'enrolled' : 'pending',
    recoveryCodesRemaining: (await repos.factors.unusedRecoveryCodes(userId)).length,
    passkeys: await repos.passkeys.countByUser(userId),
  } as const;
}

/** POST /mfa/totp: after the current password, a new secret waiting for its first code. */
export async function startTotp(deps: AuthDeps, input: Reauthenticated): Promise<TotpEnrolment> {
  const account = await confirmCurrentPassword(deps, input);
  return beginTotpEnrolment(deps, account, input.request);
}

/**
 * POST /mfa/totp/confirm: the first code turns the authenticator on (counted like a login's code);
 * the caller's other sessions end. Returns the recovery codes.
 */
export async function confirmTotpOfSession(
  deps: AuthDeps,
  input: FactorCaller & { code: string },
): Promise<string[]> {
  const account = await activeAccount(deps, input.userId);
  const attempt = await deps.throttle.factors.admit(account.id, input.request);
  let result: Awaited<ReturnType<typeof confirmTotp>>;
  try {
    result = await deps.store.transaction((repos) =>
      confirmTotp(deps, repos, {
        account,
        code: input.code,
        keepSession: input.sessionId,
        request: input.request,
      }),
    );
  } catch (err) {
    await attempt.abandoned();
    throw err;
  }
  if (!result) {
    await attempt.failed('totp');
    throw authErrors.invalidMfaCode(403);
  }
  await attempt.succeeded();
  confirmed(deps, result.sessionsEnded);
  return result.recoveryCodes;
}

/**
 * POST /mfa/totp/disable: after the current password, the authenticator and the recovery codes go;
 * the caller's other sessions end and a notice is mailed. An account whose role requires a second
 * factor keeps its last one.
 */
export async function removeTotpOfSession(deps: AuthDeps, input: Reauthenticated): Promise<void> {
  const account = await confirmCurrentPassword(deps, input);
  const { request } = input;
  const ended = await deps.store.transaction(async (repos) => {
    // The same lock as a passkey's removal: of two removals at once, each sees what the other left.
    await repos.passkeys.lockAccount(account.id);
    const totp = await repos.factors.totpOf(account.id);
    if (totp?.confirmed && (await mustKeepOneFactor(deps, repos, account))) {
      throw authErrors.lastFactor();
    }
    if (!(await repos.factors.removeTotp(account.id))) throw authErrors.noSecondFactor();
    const codes = await repos.factors.removeRecoveryCodes(account.id);
    await repos.mfaTokens.endFor(account.id, 'login');
    const sessions = await endSessions(repos, {
      userId: account.id,
      reason: 'mfa_change',
      exceptSessionId: input.sessionId,
      correlationId: request.requestId,
    });
    await deps.audit.record(
      {
        action: 'mfa_removed',
        outcome: 'success',
        reason: 'totp',
        userId: account.id,
        ...request,
        details: { sessions_ended: sessions, recovery_codes_removed: codes },
      },
      repos.audit,
    );
    await queueMail(repos, {
      to: account.email,
      locale: account.locale,
      template: 'totp_removed',
      params: { login: account.login, by: 'owner' },
      correlationId: request.requestId,
    });
    return sessions;
  });
  if (ended > 0) deps.eventsWritten();
  deps.mailsWritten();
  deps.metrics.sessionsRevoked('mfa_change', ended);
  deps.metrics.mfaChange('totp', 'removed');
}

/** POST /mfa/recovery-codes: after the current password, ten new codes in place of the old ones. */
export async function regenerateRecoveryCodes(
  deps: AuthDeps,
  input: Reauthenticated,
): Promise<string[]> {
  const account = await confirmCurrentPassword(deps, input);
  const { request } = input;
  const codes = await deps.store.transaction(async (repos) => {
    if ((await repos.factors.totpOf(account.id))?.confirmed !== true) {
      throw authErrors.noSecondFactor();
    }
    const fresh = await issueRecoveryCodes(deps, repos, account.id);
    await deps.audit.record(
      { action: 'recovery_codes_regenerated', outcome: 'success', userId: account.id, ...request },
      repos.audit,
    );
    await queueMail(repos, {
      to: account.email,
      locale: account.locale,
      template: 'recovery_codes_regenerated',
      params: { login: account.login },
      correlationId: request.requestId,
    });
    return fresh;
  });
  deps.mailsWritten();
  deps.metrics.mfaChange('recovery_code', 'regenerated');
  return codes;
}

async function activeAccount(deps: AuthDeps, userId: number): Promise<Account> {
  const account = await deps.store.repos.accounts.findById(userId);
  if (!account) throw errors.notFound(`No account has id ${userId}.`);
  if (!account.isActive) throw errors.accountInactive();
  return account;
}
