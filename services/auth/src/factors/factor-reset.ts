import { errors } from '@platform/common';
import type { AuthDeps, RequestContext } from '../deps.js';
import { queueMail } from '../recovery/mailer.js';
import { endSessions } from '../sessions/revocation.js';

/**
 * DELETE /users/{user_id}/mfa: an administrator (`mfa:reset`) removes every second factor of an
 * account (the authenticator app, the recovery codes and the passkeys), for an owner who lost
 * them. Every session of the account ends (`Sessions Revoked`, `mfa_reset`), its pending mfa
 * tokens stop working, the account is mailed and the reset audited with the administrator.
 * Returns how many sessions ended.
 */
export async function resetFactors(
  deps: AuthDeps,
  input: { userId: number; actorId: number; request: RequestContext },
): Promise<number> {
  const { request } = input;
  const ended = await deps.store.transaction(async (repos) => {
    const account = await repos.accounts.findById(input.userId);
    if (!account) throw errors.notFound(`No account has id ${input.userId}.`);
    const totp = await repos.factors.removeTotp(account.id);
    const codes = await repos.factors.removeRecoveryCodes(account.id);
    const passkeys = await repos.passkeys.removeAllOf(account.id);
    await repos.mfaTokens.endFor(account.id, 'login');
    await repos.mfaTokens.endFor(account.id, 'enrol');
    const sessions = await endSessions(repos, {
      userId: account.id,
      reason: 'mfa_reset',
      correlationId: request.requestId,
    });
    await deps.audit.record(
      {
        action: 'mfa_reset',
        outcome: 'success',
        userId: account.id,
        actorId: input.actorId,
        ...request,
        details: {
          totp_removed: totp,
          recovery_codes_removed: codes,
          passkeys_removed: passkeys,
          sessions_ended: sessions,
        },
      },
      repos.audit,
    );
    await queueMail(repos, {
      to: account.email,
      locale: account.locale,
      template: 'totp_removed',
      params: { login: account.login, by: 'administrator' },
      correlationId: request.requestId,
    });
    return sessions;
  });
  if (ended > 0) deps.eventsWritten();
  deps.mailsWritten();
  deps.metrics.sessionsRevoked('mfa_reset', ended);
  deps.metrics.mfaChange('all', 'reset');
  return ended;
}
