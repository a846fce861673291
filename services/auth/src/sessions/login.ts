import { AppError, errors } from '@platform/common';
import type { Account } from '../accounts/account-repository.js';
import { mailVerification } from '../recovery/email-verification.js';
import { authErrors } from '../auth-errors.js';
import type { SignedIn } from '../accounts/registration.js';
import type { AuthDeps, RequestContext } from '../deps.js';
import { untilVerdict } from '../throttle/throttle.js';
import { factorMethods } from '../factors/factor-methods.js';
import { requiresSecondFactor } from '../factors/mfa-policy.js';
import { enrolmentChallenge } from './enrolment-login.js';
import { mfaChallenge } from './mfa-login.js';
import { mustVerifyEmail, startSession } from './sessions.js';

export interface LoginInput {
  login: string;
  password: string;
  /** A solved challenge, needed after a few failures (see Throttle). */
  altcha?: string | undefined;
  requestId?: string | undefined;
  ip?: string | undefined;
  /** The client's User-Agent, kept with the session. */
  userAgent?: string | undefined;
}

/**
 * Checks a login and password. Until the password is proven, an unknown login, a wrong password and a
 * deactivated account get the same answer for the same work: the same throttle checks and counters
 * (keyed by the login as typed), one account lookup, one argon2 verification (against a decoy hash
 * for an unknown login) and one audit row. On Postgres a successful login is six statements: the
 * throttle's look, the lookup, the throttle's count, its release, the look for a second factor, and
 * the session with its audit row. An account with a second factor gets no session here but the
 * `mfa-required` answer with a token for POST /login/mfa (see mfa-login.ts); a passkey is such a
 * factor too.
 * Only a verdict on the password counts: the account is looked up before the attempt is counted, and
 * an attempt that fails on the way (the database, a 503) is taken back (LoginAttempt.abandoned).
 */
/**
 * The owner of an unproven account has just proven its password: the way in is a fresh link, mailed
 * to its address (within the per-address limit; past it nothing more is sent, and the answer is the
 * same).
 */
async function mailNewVerificationLink(
  deps: AuthDeps,
  account: Account,
  request: RequestContext,
): Promise<void> {
  try {
    await deps.throttle.limitMailsTo(account.email);
  } catch (err) {
    if (err instanceof AppError && err.status === 429) return;
    throw err;
  }
  await mailVerification(deps, account, request);
}

export async function login(deps: AuthDeps, input: LoginInput): Promise<SignedIn> {
  const { requestId, ip } = input;
  const credentials = await deps.store.repos.accounts.findByLogin(input.login);
  const attempt = await deps.throttle.admitLogin({
    login: input.login,
    ip,
    requestId,
    altcha: input.altcha,
  });
  const verdict = await untilVerdict(attempt, () =>
    credentials
      ? deps.passwords.verify(credentials.hashedPassword, input.password)
      : deps.passwords.verifyDecoy(input.password).then(() => undefined),
  );
  if (!credentials || !verdict?.ok) {
    const reason = credentials ? 'wrong_password' : 'unknown_login';
    const userId = credentials?.id;
    deps.logger.info({ reason: reason.replace('_', '-'), userId, requestId }, 'login failed');
    deps.metrics.login(reason);
    await attempt.failed(reason, userId);
    throw authErrors.badCredentials();
  }
  await untilVerdict(attempt, () => attempt.proven());
  const userId = credentials.id;
  if (!credentials.isActive) {
    deps.logger.info({ reason: 'account-inactive', userId, requestId }, 'login refused');
    deps.metrics.login('account_inactive');
    const refusal = { action: 'login', outcome: 'failure', reason: 'account_inactive' } as const;
    await deps.audit.record({ ...refusal, login: input.login, userId, ip, requestId });
    throw errors.accountInactive();
  }
  if (mustVerifyEmail(deps, credentials)) {
    deps.logger.info({ reason: 'email-not-verified', userId, requestId }, 'login refused');
    deps.metrics.login('email_not_verified');
    const refusal = { action: 'login', outcome: 'failure', reason: 'email_not_verified' } as const;
    await deps.audit.record({ ...refusal, login: input.login, userId, ip, requestId });
    await mailNewVerificationLink(deps, credentials, { ip: ip ?? '', requestId: requestId ?? '' });
    throw authErrors.emailNotVerified();
  }
  if (verdict.needsRehash) {
    await deps.store.repos.accounts.setPasswordHash(
      userId,
      await deps.passwords.hash(input.password),
    );
  }
  const { hashedPassword: _secret, ...account } = credentials;
  const methods = await factorMethods(deps.store.repos, userId);
  const request = { ip: ip ?? '', requestId: requestId ?? '' };
  if (methods.length > 0) throw await mfaChallenge(deps, account, methods, request);
  if (requiresSecondFactor(deps, account)) throw await enrolmentChallenge(deps, account, request);
  const success = { action: 'login', outcome: 'success', userId, ip, requestId } as const;
  const client = { ip, userAgent: input.userAgent, signIn: true };
  const tokens = await startSession(deps, deps.store.repos, account, success, client);
  deps.metrics.login('ok');
  deps.metrics.tokenPairIssued();
  return { account, tokens };
}
