import type { AuthApi } from '@platform/common';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import type { Account } from '../accounts/account-repository.js';
import type { Repositories } from '../data/store.js';
import type { AuthDeps, RequestContext } from '../deps.js';
import type { FactorMethod } from '../metrics/metrics.js';
import { passkeyAmr, verifyPasskeyAssertion } from '../passkeys/passkey-assertion.js';
import { queueMail } from '../recovery/mailer.js';
import { spendRecoveryCode } from './recovery-code-factor.js';
import { spendTotpCode } from './totp-factor.js';

/** A second factor as POST /login/mfa sends it, told apart by `method`. */
export type FactorInput = WithoutToken<AuthApi.components['schemas']['LoginMfaSchema']>;
/** Omit over each member of a union (Omit itself merges them). */
type WithoutToken<T> = T extends unknown ? Omit<T, 'mfa_token'> : never;

/** What a proven factor adds to the session's `amr` (RFC 8176). */
export interface FactorProof {
  amr: readonly string[];
}

/**
 * Checks one factor of the account inside the login's transaction and spends it (a code is good
 * once); undefined when it does not hold. Queued notices commit with the session.
 */
type Verifier<M extends FactorMethod> = (
  deps: AuthDeps,
  repos: Repositories,
  account: Account,
  factor: Extract<FactorInput, { method: M }>,
  request: RequestContext,
) => Promise<FactorProof | undefined>;

/** One verifier per method: the one place a new method is added. */
const VERIFIERS: { [M in FactorMethod]: Verifier<M> } = {
  totp: async (deps, repos, account, factor) =>
    (await spendTotpCode(deps, repos, account.id, factor.code)) === undefined
      ? undefined
      : { amr: ['otp'] },
  // A recovery code is a one-time password too (RFC 8176 has no value of its own for it).
  recovery_code: async (deps, repos, account, factor, request) => {
    const remaining = await spendRecoveryCode(deps, repos, account.id, factor.code);
    if (remaining === undefined) return undefined;
    await queueMail(repos, {
      to: account.email,
      locale: account.locale,
      template: 'recovery_code_used',
      params: { login: account.login, remaining },
      correlationId: request.requestId,
    });
    return { amr: ['otp'] };
  },
  // The password is the other factor: user verification is not needed (see passkey-assertion.ts).
  webauthn: async (deps, repos, account, factor, request) => {
    const result = await verifyPasskeyAssertion(
      deps,
      {
        userId: account.id,
        // The contract has checked its shape; the checks of its content are the verifier's.
        response: factor.response as AuthenticationResponseJSON,
        challengeId: factor.challenge_id,
      },
      repos,
    );
    if (result.ok) return { amr: [passkeyAmr(result.value)] };
    const { requestId } = request;
    deps.logger.info({ reason: result.reason, userId: account.id, requestId }, 'passkey refused');
    return undefined;
  },
};

export function verifyFactor(
  deps: AuthDeps,
  repos: Repositories,
  account: Account,
  factor: FactorInput,
  request: RequestContext,
): Promise<FactorProof | undefined> {
  const verify = VERIFIERS[factor.method] as Verifier<FactorMethod>;
  return verify(deps, repos, account, factor as never, request);
}

/**
 * After a refused factor, whose transaction rolled back: what stays spent all the same. A passkey's
 * challenge is good for one answer, right or wrong; the next try asks for new options.
 */
export async function spendRefusedFactor(
  deps: AuthDeps,
  userId: number,
  factor: FactorInput,
): Promise<void> {
  if (factor.method !== 'webauthn') return;
  await deps.store.repos.webauthnChallenges.consume(factor.challenge_id, 'second_factor', userId);
}
