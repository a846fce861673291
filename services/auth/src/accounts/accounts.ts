import { errors, isUniqueViolation, schemaValidator } from '@platform/common';
import { authErrors } from '../auth-errors.js';
import type { Account } from './account-repository.js';
import { deactivated, registered } from './account-events.js';
import type { Repositories } from '../data/store.js';
import type { AuthDeps, RequestContext } from '../deps.js';
import { endSessions } from '../sessions/revocation.js';
import { startSession } from '../sessions/sessions.js';
import type { TokenPair } from '../sessions/tokens.js';

export const DEFAULT_ROLE = 'user';
export const ADMIN_ROLE = 'admin';

export interface Registration {
  displayName: string;
  login: string;
  email: string;
  password: string;
  correlationId?: string | undefined;
  /** The client's address (per-IP registration limit); absent for the command line. */
  ip?: string | undefined;
}

export interface SignedIn {
  account: Account;
  tokens: TokenPair;
}

/**
 * Creates the account with its roles, its first session and its `Register` event in one transaction.
 * The password is hashed before the transaction so that no lock is held during argon2.
 */
export async function registerAccount(
  deps: AuthDeps,
  input: Registration,
  roles: string[] = [DEFAULT_ROLE],
): Promise<SignedIn> {
  await deps.throttle.limit('register', input.ip);
  const problems = deps.passwordPolicy.problems(input.password, {
    login: input.login,
    email: input.email,
    displayName: input.displayName,
  });
  if (problems.length > 0) {
    deps.metrics.registration('invalid');
    throw errors.validation(
      problems.map((message) => ({ field: 'password', message })),
      'The password does not meet the password policy.',
    );
  }
  await assertAvailable(deps, input.login, input.email);
  const hashedPassword = await deps.passwords.hash(input.password);
  try {
    const result = await deps.store.transaction(async (repos) => {
      const account = await repos.accounts.create(
        { login: input.login, email: input.email, hashedPassword },
        roles,
      );
      await repos.outbox.add(registered(account.id, input.displayName, input.correlationId));
      return { account, tokens: await startSession(deps, repos, account) };
    });
    deps.eventsWritten();
    deps.metrics.registration('created');
    deps.metrics.tokenPairIssued();
    return result;
  } catch (err) {
    // Two registrations raced past the check above; the unique index decided.
    if (isUniqueViolation(err)) await assertAvailable(deps, input.login, input.email);
    throw err;
  }
}

async function assertAvailable(deps: AuthDeps, login: string, email: string): Promise<void> {
  const taken = await deps.store.repos.accounts.taken(login, email);
  const fields = [
    ...(taken.login ? [{ field: 'login', message: 'is already taken' }] : []),
    ...(taken.email ? [{ field: 'email', message: 'is already registered' }] : []),
  ];
  if (fields.length > 0) {
    deps.metrics.registration('conflict');
    throw errors.conflict('An account with this login or email already exists.', fields);
  }
}

/**
 * Deactivates (soft-deletes) an account: every session ends (with a `Sessions Revoked` event), the
 * caller's token is blacklisted and an `Account Deactivate` event is written. Deactivating an inactive
 * account changes nothing. The last active administrator cannot be deactivated.
 */
export async function deactivateAccount(
  deps: AuthDeps,
  input: {
    userId: number;
    currentToken?: { jti: string; exp: number };
    /** The administrator who acts, when it is not the account itself. */
    actorId?: number | undefined;
    request?: RequestContext | undefined;
  },
): Promise<Account> {
  const correlationId = input.request?.requestId;
  const revoked = await deps.store.transaction(async (repos) => {
    const account = await repos.accounts.findById(input.userId);
    if (!account) throw errors.notFound(`No account has id ${input.userId}.`);
    if (account.isActive && account.roles.includes(ADMIN_ROLE)) {
      await assertNotLastAdmin(repos, account.id);
    }
    if (!(await repos.accounts.deactivate(account.id))) return undefined;
    await repos.outbox.add(deactivated(account.id, correlationId));
    const sessions = await endSessions(repos, {
      userId: account.id,
      reason: 'deactivation',
      correlationId,
    });
    if (input.currentToken) {
      await repos.sessions.blacklist([
        {
          jti: input.currentToken.jti,
          userId: account.id,
          expiresAt: new Date(input.currentToken.exp * 1000),
        },
      ]);
    }
    await deps.audit.record(
      {
        action: 'account_deactivated',
        outcome: 'success',
        reason: input.actorId === undefined ? 'self' : 'admin',
        userId: account.id,
        actorId: input.actorId,
        ...input.request,
        details: { sessions_ended: sessions },
      },
      repos.audit,
    );
    return sessions;
  });
  if (revoked !== undefined) {
    deps.eventsWritten();
    deps.metrics.sessionsRevoked('deactivation', revoked);
  }
  const account = await deps.store.repos.accounts.findById(input.userId);
  return account!;
}

/**
 * Inside a transaction: refuses (409) a change that would leave no active administrator. Concurrent
 * changes to administrators take turns, so two of them cannot each remove "the other" one.
 */
export async function assertNotLastAdmin(repos: Repositories, userId: number): Promise<void> {
  await repos.accounts.lockRole(ADMIN_ROLE);
  if ((await repos.accounts.countActiveWithRole(ADMIN_ROLE, userId)) === 0) {
    throw authErrors.lastAdministrator();
  }
}

const checkRegistration = schemaValidator('auth.yaml', 'RegisterSchema');

/**
 * Makes sure an administrator account exists: creates it (with a profile event) or grants the admin
 * role to the existing account of that login. Used by `create-admin` and the ADMIN_* variables.
 */
export async function ensureAdmin(
  deps: AuthDeps,
  input: Omit<Registration, 'correlationId'>,
): Promise<{ account: Account; created: boolean }> {
  // This input comes from the command line or the environment, not through the HTTP contract.
  const problems = checkRegistration({
    display_name: input.displayName,
    login: input.login,
    email: input.email,
    password: input.password,
  });
  if (problems.length > 0)
    throw errors.validation(problems, 'The administrator account is invalid.');
  const existing = await deps.store.repos.accounts.findByLogin(input.login);
  if (existing) {
    await deps.store.repos.accounts.grantRoles(existing.id, [DEFAULT_ROLE, ADMIN_ROLE]);
    return { account: (await deps.store.repos.accounts.findById(existing.id))!, created: false };
  }
  const { account } = await registerAccount(deps, input, [DEFAULT_ROLE, ADMIN_ROLE]);
  return { account, created: true };
}
