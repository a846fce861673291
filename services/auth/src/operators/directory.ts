import { errors } from '@platform/common';
import type { Account } from '../accounts/account-repository.js';
import type { AuthDeps } from '../deps.js';
import { decodeCursor, pageOf } from './cursor.js';
import type { DirectoryEntry } from './directory-repository.js';
import { factorsOf, type EnrolledFactor } from './factors.js';

const LISTING = 'users';

export interface DirectoryQuery {
  q?: string | undefined;
  status?: 'active' | 'deactivated' | undefined;
  role?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

/** GET /users: a page of the accounts that match, by id, and the cursor of the next page. */
export async function searchDirectory(
  deps: AuthDeps,
  query: DirectoryQuery,
): Promise<{ items: DirectoryEntry[]; nextCursor: string | null }> {
  const rows = await deps.store.repos.directory.search({
    // Logins and emails are kept lower-cased beside their spelling: the search is on those.
    prefix: query.q?.toLowerCase(),
    active: query.status === undefined ? undefined : query.status === 'active',
    role: query.role,
    afterId: decodeCursor(LISTING, query.cursor),
    limit: query.limit + 1,
  });
  return pageOf(LISTING, rows, query.limit);
}

/** GET /users/{user_id}: what an operator needs to know to help the account's owner. */
export interface AccountOverview {
  account: Account;
  createdAt: Date;
  factors: EnrolledFactor[];
  lock: { failures: number; lockedUntil: Date | null };
  activeSessions: number;
}

export async function accountOverview(deps: AuthDeps, userId: number): Promise<AccountOverview> {
  const { repos } = deps.store;
  const account = await repos.accounts.findById(userId);
  if (!account) throw errors.notFound(`No account has id ${userId}.`);
  const [createdAt, factors, lock, activeSessions] = await Promise.all([
    repos.directory.createdAt(userId),
    factorsOf(repos, userId),
    deps.throttle.loginLock(account.login),
    repos.sessions.countActive(userId),
  ]);
  return {
    account,
    createdAt: createdAt!,
    factors,
    lock: {
      failures: lock.failures,
      lockedUntil: lock.lockedFor > 0 ? new Date(Date.now() + lock.lockedFor * 1000) : null,
    },
    activeSessions,
  };
}
