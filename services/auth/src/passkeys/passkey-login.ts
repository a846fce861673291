import { errors } from '@platform/common';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import type { SignedIn } from '../accounts/registration.js';
import { authErrors } from '../auth-errors.js';
import type { AuthDeps, RequestContext } from '../deps.js';
import { mustVerifyEmail, startSession } from '../sessions/sessions.js';
import {
  passkeyAmr,
  passkeyAssertionOptions,
  verifyPasskeyAssertion,
} from './passkey-assertion.js';

/**
 * POST /login/passkey/options: a passwordless login's request options. It and the assertion that
 * follows count against the per-IP limit (PASSKEY_LOGIN_RATE_PER_IP).
 */
export async function passkeyLoginOptions(deps: AuthDeps, request: RequestContext) {
  await deps.throttle.limit('passkey_login', request.ip);
  return passkeyAssertionOptions(deps);
}

/**
 * POST /login/passkey: a passwordless login with a discoverable credential. Every refusal of the
 * assertion gets one 401 (the log and the audit trail keep the reason). Once the passkey is
 * proven, the account is refused as `/login` refuses it (deactivated; an unproven address under
 * EMAIL_VERIFICATION=required), else it gets a session. User verification is required here, so
 * the passkey is a multi-factor authenticator on its own (something held, unlocked by something
 * known or something one is): the session's proof is `mfa` at aal 2, which an account whose role
 * requires a second factor needs.
 */
export async function loginWithPasskey(
  deps: AuthDeps,
  input: {
    challengeId: string;
    response: AuthenticationResponseJSON;
    request: RequestContext;
    /** The client's User-Agent, kept with the session. */
    userAgent?: string | undefined;
  },
): Promise<SignedIn> {
  const { ip, requestId } = input.request;
  await deps.throttle.limit('passkey_login', ip);
  const result = await verifyPasskeyAssertion(deps, {
    challengeId: input.challengeId,
    response: input.response,
  });
  if (!result.ok) {
    deps.logger.info({ reason: result.reason, requestId }, 'passkey login refused');
    await deps.audit.record({
      action: 'login',
      outcome: 'failure',
      reason: 'passkey_rejected',
      ip,
      requestId,
      details: { method: 'passkey' },
    });
    throw authErrors.passkeyRejected(401, 'The passkey could not be verified.');
  }
  const { userId } = result.value;
  const account = await deps.store.repos.accounts.findById(userId);
  if (!account) throw authErrors.passkeyRejected(401, 'The passkey could not be verified.');
  const details = { method: 'passkey', passkey_id: result.value.passkeyId };
  if (!account.isActive) {
    deps.metrics.login('account_inactive');
    const refusal = { action: 'login', outcome: 'failure', reason: 'account_inactive' } as const;
    await deps.audit.record({ ...refusal, userId, ip, requestId, details });
    throw errors.accountInactive();
  }
  if (mustVerifyEmail(deps, account)) {
    deps.metrics.login('email_not_verified');
    const refusal = { action: 'login', outcome: 'failure', reason: 'email_not_verified' } as const;
    await deps.audit.record({ ...refusal, userId, ip, requestId, details });
    throw authErrors.emailNotVerified();
  }
  const success = { action: 'login', outcome: 'success', userId, ip, requestId, details } as const;
  const client = { ip, userAgent: input.userAgent, signIn: true };
  const proof = { amr: [passkeyAmr(result.value), 'mfa'], aal: 2 } as const;
  const tokens = await startSession(deps, deps.store.repos, account, success, client, proof);
  deps.metrics.login('ok');
  deps.metrics.tokenPairIssued();
  return { account, tokens };
}
