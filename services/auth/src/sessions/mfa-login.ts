import { errors } from '@platform/common';
import type { Account } from '../accounts/account-repository.js';
import type { SignedIn } from '../accounts/registration.js';
import { authErrors } from '../auth-errors.js';
import type { AuthDeps, RequestContext } from '../deps.js';
import { hashMfaToken, newMfaToken } from '../factors/mfa-token-repository.js';
import { spendRefusedFactor, verifyFactor, type FactorInput } from '../factors/verify-factor.js';
import type { FactorMethod } from '../metrics/metrics.js';
import { passkeyAssertionOptions } from '../passkeys/passkey-assertion.js';
import { mustVerifyEmail, startSession } from './sessions.js';

/**
 * The password of an account with a second factor is proven: instead of a session, a single-use
 * token bound to this login (its hash stored with the account) and the methods it can go on with.
 */
export async function mfaChallenge(
  deps: AuthDeps,
  account: Account,
  methods: FactorMethod[],
  request: RequestContext,
): Promise<Error> {
  const { token, hash } = newMfaToken();
  const ttlSeconds = deps.mfa.settings.tokenTtlSeconds;
  await deps.store.transaction(async (repos) => {
    await repos.mfaTokens.issue({ userId: account.id, purpose: 'login', hash, ttlSeconds });
    await deps.audit.record(
      {
        action: 'mfa_challenge',
        outcome: 'success',
        userId: account.id,
        login: account.login,
        ...request,
        details: { methods: methods.join(',') },
      },
      repos.audit,
    );
  });
  deps.metrics.mfaChallenge('mfa_required');
  return authErrors.mfaRequired(token, methods, ttlSeconds);
}

/**
 * POST /login/mfa/passkey/options: the request options for the passkeys of the account whose
 * password the mfa_token proves, with a challenge bound to that account for a second factor. The
 * token is looked up, not spent: it goes on to POST /login/mfa with the assertion. Without a
 * passkey the options would name no credential, and a browser would offer any of the RP's.
 */
export async function mfaPasskeyOptions(deps: AuthDeps, mfaToken: string) {
  const { repos } = deps.store;
  const pending = await repos.mfaTokens.find(hashMfaToken(mfaToken), 'login');
  if (!pending) throw authErrors.invalidMfaToken();
  if ((await repos.passkeys.countByUser(pending.userId)) === 0) throw authErrors.noPasskey();
  return passkeyAssertionOptions(deps, { userId: pending.userId });
}

/** A wrong factor: the transaction that spent the token rolls back, so the token stays good. */
class WrongFactor extends Error {}

/**
 * POST /login/mfa: spends the login's mfa_token and the factor, and starts the session, in one
 * transaction: of two uses of one token exactly one wins (the spend is a compare-and-swap whose row
 * stays locked until the end), and a wrong factor gives the token back. Factor failures count on
 * the account's own factor counter, never on the password's.
 */
export async function completeMfaLogin(
  deps: AuthDeps,
  input: {
    mfaToken: string;
    factor: FactorInput;
    request: RequestContext;
    /** The client's User-Agent, kept with the session. */
    userAgent?: string | undefined;
  },
): Promise<SignedIn> {
  const { request, factor } = input;
  const hash = hashMfaToken(input.mfaToken);
  const pending = await deps.store.repos.mfaTokens.find(hash, 'login');
  if (!pending) throw authErrors.invalidMfaToken();
  const attempt = await deps.throttle.factors.admit(pending.userId, request);
  let signedIn: SignedIn;
  try {
    signedIn = await deps.store.transaction(async (repos) => {
      const owner = await repos.mfaTokens.spend(hash, 'login');
      if (!owner) throw authErrors.invalidMfaToken();
      const account = await repos.accounts.findById(owner.userId);
      if (!account) throw authErrors.invalidMfaToken();
      if (!account.isActive) throw errors.accountInactive();
      if (mustVerifyEmail(deps, account)) throw authErrors.emailNotVerified();
      const proof = await verifyFactor(deps, repos, account, factor, request);
      if (!proof) throw new WrongFactor();
      const audit = {
        action: 'login',
        outcome: 'success',
        reason: factor.method,
        userId: account.id,
        ...request,
      } as const;
      const amr = ['pwd', ...proof.amr, 'mfa'];
      const client = { ip: input.request.ip, userAgent: input.userAgent, signIn: true };
      const tokens = await startSession(deps, repos, account, audit, client, { amr, aal: 2 });
      return { account, tokens };
    });
  } catch (err) {
    if (!(err instanceof WrongFactor)) {
      await attempt.abandoned();
      throw err;
    }
    await spendRefusedFactor(deps, pending.userId, factor);
    deps.metrics.mfaVerification(factor.method, 'failure');
    await attempt.failed(factor.method);
    throw authErrors.invalidMfaCode(401);
  }
  await attempt.succeeded();
  deps.mailsWritten();
  deps.metrics.mfaVerification(factor.method, 'success');
  deps.metrics.login('ok');
  deps.metrics.tokenPairIssued();
  return signedIn;
}
