import type { AuthDeps, RequestContext } from '../deps.js';
import { reauthenticate } from './confirm-password.js';
import { applyNewPassword, checkNewPassword } from './new-password.js';

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
  const account = await reauthenticate(
    deps,
    input.userId,
    { password: input.currentPassword, altcha: input.altcha, flow: 'password_change' },
    request,
  );
  checkNewPassword(deps, account, input.newPassword);
  const hashedPassword = await deps.passwords.hash(input.newPassword);
  const ended = await deps.store.transaction((repos) =>
    applyNewPassword(deps, repos, {
      account,
      hashedPassword,
      how: 'change',
      keepSession: input.sessionId,
      request,
    }),
  );
  if (ended > 0) deps.eventsWritten();
  deps.mailsWritten();
  deps.metrics.sessionsRevoked('password_change', ended);
  deps.metrics.recovery('password_change', 'completed');
}
