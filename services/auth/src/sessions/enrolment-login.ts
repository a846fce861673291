import { errors } from '@platform/common';
import type { Account } from '../accounts/account-repository.js';
import type { SignedIn } from '../accounts/registration.js';
import { authErrors } from '../auth-errors.js';
import type { AuthDeps, RequestContext } from '../deps.js';
import { hashMfaToken, newMfaToken } from '../factors/mfa-token-repository.js';
import { beginTotpEnrolment, confirmed, confirmTotp } from '../factors/totp-enrolment.js';
import type { TotpEnrolment } from '../factors/totp.js';
import { startSession } from './sessions.js';

/**
 * The password of an account whose role requires a second factor is proven, and it has none: a
 * single-use token that can only enrol one (POST /login/mfa/enrol, then .../confirm), never a session.
 */
export async function enrolmentChallenge(
  deps: AuthDeps,
  account: Account,
  request: RequestContext,
): Promise<Error> {
  const { token, hash } = newMfaToken();
  const ttlSeconds = deps.mfa.settings.tokenTtlSeconds;
  await deps.store.transaction(async (repos) => {
    await repos.mfaTokens.issue({ userId: account.id, purpose: 'enrol', hash, ttlSeconds });
    await deps.audit.record(
      {
        action: 'mfa_challenge',
        outcome: 'success',
        reason: 'enrolment_required',
        userId: account.id,
        login: account.login,
        ...request,
      },
      repos.audit,
    );
  });
  deps.metrics.mfaChallenge('enrolment_required');
  return authErrors.mfaEnrolmentRequired(token, ttlSeconds);
}

/** POST /login/mfa/enrol: a new secret for the account of a good enrolment token (not spent yet). */
export async function beginEnrolmentLogin(
  deps: AuthDeps,
  enrolmentToken: string,
  request: RequestContext,
): Promise<TotpEnrolment> {
  const pending = await deps.store.repos.mfaTokens.find(hashMfaToken(enrolmentToken), 'enrol');
  if (!pending) throw authErrors.invalidMfaToken();
  const account = await deps.store.repos.accounts.findById(pending.userId);
  if (!account) throw authErrors.invalidMfaToken();
  if (!account.isActive) throw errors.accountInactive();
  return beginTotpEnrolment(deps, account, request);
}

class WrongCode extends Error {}

/**
 * POST /login/mfa/enrol/confirm: the first code confirms the authenticator, the enrolment token is
 * spent and the session starts (proven by the password and the new factor: aal 2), in one
 * transaction; a wrong code rolls it back and counts on the factor's counter.
 */
export async function completeEnrolmentLogin(
  deps: AuthDeps,
  input: {
    enrolmentToken: string;
    code: string;
    request: RequestContext;
    /** The client's User-Agent, kept with the session. */
    userAgent?: string | undefined;
  },
): Promise<SignedIn & { recoveryCodes: string[] }> {
  const { request } = input;
  const hash = hashMfaToken(input.enrolmentToken);
  const pending = await deps.store.repos.mfaTokens.find(hash, 'enrol');
  if (!pending) throw authErrors.invalidMfaToken();
  const attempt = await deps.throttle.factors.admit(pending.userId, request);
  let result: SignedIn & { recoveryCodes: string[]; sessionsEnded: number };
  try {
    result = await deps.store.transaction(async (repos) => {
      const owner = await repos.mfaTokens.spend(hash, 'enrol');
      const account = owner && (await repos.accounts.findById(owner.userId));
      if (!account) throw authErrors.invalidMfaToken();
      if (!account.isActive) throw errors.accountInactive();
      const done = await confirmTotp(deps, repos, { account, code: input.code, request });
      if (!done) throw new WrongCode();
      const audit = {
        action: 'login',
        outcome: 'success',
        reason: 'totp_enrolment',
        userId: account.id,
        ...request,
      } as const;
      const proof = { amr: ['pwd', 'otp', 'mfa'], aal: 2 } as const;
      const client = { ip: input.request.ip, userAgent: input.userAgent, signIn: true };
      const tokens = await startSession(deps, repos, account, audit, client, proof);
      return { account, tokens, ...done };
    });
  } catch (err) {
    if (!(err instanceof WrongCode)) {
      await attempt.abandoned();
      throw err;
    }
    await attempt.failed('totp');
    throw authErrors.invalidMfaCode(401);
  }
  await attempt.succeeded();
  confirmed(deps, result.sessionsEnded);
  deps.metrics.login('ok');
  deps.metrics.tokenPairIssued();
  return result;
}
