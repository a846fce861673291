import { errors, permissionsOf } from '@platform/common';
import type { AuthDeps, RequestContext } from '../deps.js';
import { passkeyBody } from '../http/handlers/bodies.js';

const iso = (at: Date) => at.toISOString();
const isoOrNull = (at: Date | null) => (at === null ? null : at.toISOString());

/**
 * GET /account/export (GDPR art. 20): every row the auth service holds about the caller's account,
 * as the contract names it. Secrets stay out: the password hash, mailed tokens' hashes, mail bodies.
 */
export async function exportAccount(deps: AuthDeps, userId: number, request: RequestContext) {
  const records = await deps.store.repos.erasure.recordsOf(userId);
  if (!records) throw errors.notFound(`No account has id ${userId}.`);
  const { account } = records;
  const { repos } = deps.store;
  const [totp, recoveryCodes, passkeys] = await Promise.all([
    repos.factors.totpOf(userId),
    repos.factors.unusedRecoveryCodes(userId),
    repos.passkeys.listByUser(userId),
  ]);
  await deps.audit.record({
    action: 'account_exported',
    outcome: 'success',
    userId,
    ...request,
  });
  deps.metrics.exported();
  return {
    exported_at: iso(new Date()),
    account: {
      id: account.id,
      login: account.login,
      email: account.email,
      email_verified: Boolean(account.email_verified),
      is_active: Boolean(account.is_active),
      locale: account.locale,
      created_at: iso(account.created_at),
      updated_at: iso(account.updated_at),
    },
    roles: records.roles.map((grant) => ({ role: grant.role, granted_at: iso(grant.grantedAt) })),
    permissions: permissionsOf(records.roles.map((grant) => grant.role)),
    sessions: records.sessions.map((session) => ({
      id: session.id,
      created_at: iso(session.created_at),
      expires_at: iso(session.expires_at),
      refreshed_at: isoOrNull(session.refreshed_at),
      revoked_at: isoOrNull(session.revoked_at),
      revoked_reason: session.revoked_reason,
      ip: session.ip,
      user_agent: session.user_agent,
    })),
    mail_tokens: records.mailTokens.map((token) => ({
      purpose: token.purpose,
      email: token.email,
      created_at: iso(token.created_at),
      expires_at: iso(token.expires_at),
      ended_at: isoOrNull(token.ended_at),
      end_reason: token.end_reason,
    })),
    mails: records.mails.map((mail) => ({
      template: mail.template,
      to: mail.to_address,
      subject: mail.subject,
      created_at: iso(mail.created_at),
      sent_at: isoOrNull(mail.sent_at),
      failed_at: isoOrNull(mail.failed_at),
    })),
    password_reset_requests: records.resetRequests.map((request) => ({
      created_at: iso(request.created_at),
      ip: request.ip,
    })),
    second_factors: {
      totp: (totp === null ? 'none' : totp.confirmed ? 'enrolled' : 'pending') as
        'none' | 'enrolled' | 'pending',
      recovery_codes_remaining: recoveryCodes.length,
      passkeys: passkeys.map(passkeyBody),
    },
    audit: records.audit.map((row) => ({
      id: row.id,
      occurred_at: iso(row.occurred_at),
      action: row.action,
      outcome: row.outcome,
      reason: row.reason,
      user_id: row.user_id,
      actor_id: row.actor_id,
      login: row.login,
      ip: row.ip,
      details:
        row.details === null
          ? null
          : (JSON.parse(row.details) as Record<string, string | number | boolean>),
    })),
  };
}
