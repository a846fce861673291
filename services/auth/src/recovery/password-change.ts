import { errors } from '@platform/common';
import type { AuthDeps, RequestContext } from '../deps.js';
import { endSessions } from '../sessions/revocation.js';
import { confirmPassword } from './confirm-password.js';
import { queueMail } from './mailer.js';

/**
 * POST /password/change: after the current password (a wrong one counts as a failed login), sets the
 * new one. The caller's other sessions end, this one stays; outstanding reset links stop working; a
 * notice is mailed.
 */
export async function changePassword(
  deps: AuthDeps,
  input: {
    userId: number;
    sessionId: string;
    currentPassword: string;
    newPassword: string;
    altcha?: string | undefined;
    request: RequestContext;
  },
): Promise<void> {
  const { request } = input;
  const account = await deps.store.repos.accounts.findById(input.userId);
  if (!account) throw errors.notFound(`No account has id ${input.userId}.`);
  await confirmPassword(
    deps,
    account,
    { password: input.currentPassword, altcha: input.altcha, flow: 'password_change' },
    request,
  );
  const problems = deps.passwordPolicy.problems(input.newPassword, account);
  if (problems.length > 0) {
    throw errors.validation(
      problems.map((message) => ({ field: 'new_password', message })),
      'The password does not meet the password policy.',
    );
  }
  const hashedPassword = await deps.passwords.hash(input.newPassword);
  const ended = await deps.store.transaction(async (repos) => {
    await repos.accounts.setPasswordHash(account.id, hashedPassword);
    await repos.mailTokens.end(account.id, ['reset'], 'password_changed');
    const sessions = await endSessions(repos, {
      userId: account.id,
      reason: 'password_change',
      exceptSessionId: input.sessionId,
      correlationId: request.requestId,
    });
    await queueMail(repos, {
      to: account.email,
      locale: account.locale,
      template: 'password_changed',
      params: { login: account.login },
      correlationId: request.requestId,
    });
    await deps.audit.record(
      {
        action: 'password_changed',
        outcome: 'success',
        userId: account.id,
        ...request,
        details: { sessions_ended: sessions },
      },
      repos.audit,
    );
    return sessions;
  });
  if (ended > 0) deps.eventsWritten();
  deps.mailsWritten();
  deps.metrics.sessionsRevoked('password_change', ended);
  deps.metrics.recovery('password_change', 'completed');
}
