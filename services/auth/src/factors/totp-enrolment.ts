import type { Account } from '../accounts/account-repository.js';
import { authErrors } from '../auth-errors.js';
import type { Repositories } from '../data/store.js';
import type { AuthDeps, RequestContext } from '../deps.js';
import { queueMail } from '../recovery/mailer.js';
import { endSessions } from '../sessions/revocation.js';
import { issueRecoveryCodes } from './recovery-code-factor.js';
import { totpStep, newTotpSecret, type TotpEnrolment } from './totp.js';
import { totpAad } from './totp-factor.js';

/**
 * A new secret for the account, stored sealed and unconfirmed: the login does not ask for it until
 * a first code confirms it. The caller has checked a recent authentication.
 */
export async function beginTotpEnrolment(
  deps: AuthDeps,
  account: Account,
  request: RequestContext,
): Promise<TotpEnrolment> {
  const enrolment = newTotpSecret(deps.mfa.settings.issuer, account.login);
  const sealed = deps.mfa.box.seal(enrolment.secret, totpAad(account.id));
  const started = await deps.store.transaction(async (repos) => {
    if (!(await repos.factors.startTotp(account.id, sealed))) return false;
    await deps.audit.record(
      {
        action: 'mfa_enrolment_started',
        outcome: 'success',
        reason: 'totp',
        userId: account.id,
        ...request,
      },
      repos.audit,
    );
    return true;
  });
  if (!started) throw authErrors.totpAlreadyEnrolled();
  return enrolment;
}

/**
 * Inside a transaction: confirms the account's waiting enrolment with its first code, whose time
 * step then counts as used, and issues the recovery codes. The account's sessions but `keepSession`
 * end; a notice is queued. Undefined when the code is wrong; throws when nothing waits.
 */
export async function confirmTotp(
  deps: AuthDeps,
  repos: Repositories,
  input: {
    account: Account;
    code: string;
    keepSession?: string | undefined;
    request: RequestContext;
  },
): Promise<{ recoveryCodes: string[]; sessionsEnded: number } | undefined> {
  const { account, request } = input;
  const factor = await repos.factors.totpOf(account.id);
  if (!factor || factor.confirmed) throw authErrors.noPendingEnrolment();
  const { plaintext } = deps.mfa.box.open(factor.sealedSecret, totpAad(account.id));
  const step = await totpStep(plaintext, input.code);
  if (step === undefined) return undefined;
  if (!(await repos.factors.confirmTotp(account.id, step))) throw authErrors.noPendingEnrolment();
  const recoveryCodes = await issueRecoveryCodes(deps, repos, account.id);
  const sessionsEnded = await endSessions(repos, {
    userId: account.id,
    reason: 'mfa_change',
    exceptSessionId: input.keepSession,
    correlationId: request.requestId,
  });
  await deps.audit.record(
    {
      action: 'mfa_enrolled',
      outcome: 'success',
      reason: 'totp',
      userId: account.id,
      ...request,
      details: { sessions_ended: sessionsEnded, recovery_codes: recoveryCodes.length },
    },
    repos.audit,
  );
  await queueMail(repos, {
    to: account.email,
    locale: account.locale,
    template: 'totp_enrolled',
    params: { login: account.login },
    correlationId: request.requestId,
  });
  return { recoveryCodes, sessionsEnded };
}

/** After a confirmation's commit: wake the relay and the courier, count it. */
export function confirmed(deps: AuthDeps, sessionsEnded: number): void {
  if (sessionsEnded > 0) deps.eventsWritten();
  deps.mailsWritten();
  deps.metrics.sessionsRevoked('mfa_change', sessionsEnded);
  deps.metrics.mfaChange('totp', 'enrolled');
}
