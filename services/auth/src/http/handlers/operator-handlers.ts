import { reactivateAccount } from '../../accounts/accounts.js';
import { auditPage, exportAudit } from '../../audit/audit-query.js';
import type { AuditFilter, AuditRecord } from '../../audit/audit-repository.js';
import type { AuthDeps } from '../../deps.js';
import { accountOverview, searchDirectory } from '../../operators/directory.js';
import type { DirectoryEntry } from '../../operators/directory-repository.js';
import { liftLockout } from '../../operators/lockout.js';
import type { AuthHandler } from './auth-handler.js';
import { userBody } from './bodies.js';

const DEFAULT_LIMIT = 50;

const summaryBody = (entry: DirectoryEntry) => ({
  id: entry.id,
  login: entry.login,
  email: entry.email,
  is_active: entry.isActive,
  email_verified: entry.emailVerified,
  roles: entry.roles,
  created_at: entry.createdAt.toISOString(),
});

const auditBody = (record: AuditRecord) => ({
  id: record.id,
  occurred_at: record.occurredAt.toISOString(),
  action: record.action,
  outcome: record.outcome as 'success' | 'failure',
  reason: record.reason,
  user_id: record.userId,
  actor_id: record.actorId,
  login: record.login,
  ip: record.ip,
  request_id: record.requestId,
  details: record.details,
});

interface AuditQuery {
  actor_id?: number;
  user_id?: number;
  action?: string;
  from?: string;
  to?: string;
}

const auditFilter = (query: AuditQuery): AuditFilter => ({
  actorId: query.actor_id,
  userId: query.user_id,
  action: query.action,
  from: query.from === undefined ? undefined : new Date(query.from),
  to: query.to === undefined ? undefined : new Date(query.to),
});

/** The operator API: the account directory, an account's state, reactivation, unlocks, the audit trail. */
export function operatorHandlers(deps: AuthDeps) {
  const listUsers: AuthHandler<'listUsers'> = async ({ query }) => {
    const page = await searchDirectory(deps, { ...query, limit: query.limit ?? DEFAULT_LIMIT });
    return {
      status: 200,
      body: { items: page.items.map(summaryBody), next_cursor: page.nextCursor },
    };
  };

  const getUser: AuthHandler<'getUser'> = async ({ params }) => {
    const overview = await accountOverview(deps, params.user_id);
    return {
      status: 200,
      body: {
        ...userBody(overview.account),
        roles: overview.account.roles,
        created_at: overview.createdAt.toISOString(),
        factors: overview.factors.map((f) => ({
          type: f.type,
          created_at: f.createdAt.toISOString(),
        })),
        lock: {
          failures: overview.lock.failures,
          locked: overview.lock.lockedUntil !== null,
          locked_until: overview.lock.lockedUntil?.toISOString() ?? null,
        },
        sessions: { active: overview.activeSessions },
      },
    };
  };

  const reactivate: AuthHandler<'reactivateAccount'> = async ({
    params,
    principal,
    requestId,
    ip,
  }) => ({
    status: 200,
    body: userBody(
      await reactivateAccount(deps, {
        userId: params.user_id,
        actorId: principal.userId,
        request: { ip, requestId },
      }),
    ),
  });

  const lockout: AuthHandler<'liftLockout'> = async ({ params, principal, requestId, ip }) => {
    await liftLockout(deps, {
      userId: params.user_id,
      actorId: principal.userId,
      request: { ip, requestId },
    });
    return { status: 204, body: undefined };
  };

  const listAudit: AuthHandler<'listAudit'> = async ({ query }) => {
    const page = await auditPage(deps, auditFilter(query), {
      limit: query.limit ?? DEFAULT_LIMIT,
      cursor: query.cursor,
    });
    return {
      status: 200,
      body: { items: page.items.map(auditBody), next_cursor: page.nextCursor },
    };
  };

  const exportAuditHandler: AuthHandler<'exportAudit'> = async ({ query }) => ({
    status: 200,
    body: await exportAudit(deps, auditFilter(query), (record) =>
      JSON.stringify(auditBody(record)),
    ),
  });

  return {
    listUsers,
    getUser,
    reactivateAccount: reactivate,
    liftLockout: lockout,
    listAudit,
    exportAudit: exportAuditHandler,
  };
}
