import { errors, isUniqueViolation, schemaValidator } from '@platform/common';
import type { Account } from '../data/records.js';
import { deactivated, registered } from '../events/account-events.js';
import type { AuthDeps } from './deps.js';
import { passwordProblems } from './password-policy.js';
import { startSession } from './sessions.js';
import type { TokenPair } from './tokens.js';

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
  const problems = passwordProblems(input.password);
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
 * Checks a login and password. Unknown logins cost the same argon2 work as known ones and get the same
 * answer; the state of the account is revealed only once the password is proven.
 */
export async function login(
  deps: AuthDeps,
  input: { login: string; password: string; requestId?: string; ip?: string },
): Promise<SignedIn> {
  const account = await deps.store.repos.accounts.findByLogin(input.login);
  if (!account) {
    await deps.passwords.verifyDecoy(input.password);
    deps.logger.info({ reason: 'unknown-login', requestId: input.requestId }, 'login failed');
    deps.metrics.login('unknown_login');
    throw errors.badCredentials();
  }
  const { ok, needsRehash } = await deps.passwords.verify(account.hashedPassword, input.password);
  if (!ok) {
    deps.logger.info(
      { reason: 'wrong-password', userId: account.id, requestId: input.requestId },
      'login failed',
    );
    deps.metrics.login('wrong_password');
    throw errors.badCredentials();
  }
  if (!account.isActive) {
    deps.logger.info(
      { reason: 'account-inactive', userId: account.id, requestId: input.requestId },
      'login refused',
    );
    deps.metrics.login('account_inactive');
    throw errors.accountInactive();
  }
  if (needsRehash) {
    await deps.store.repos.accounts.setPasswordHash(
      account.id,
      await deps.passwords.hash(input.password),
    );
  }
  const { hashedPassword: _secret, ...publicAccount } = account;
  const tokens = await deps.store.transaction((repos) => startSession(deps, repos, publicAccount));
  deps.metrics.login('ok');
  deps.metrics.tokenPairIssued();
  return { account: publicAccount, tokens };
}

/**
 * Deactivates (soft-deletes) an account: every session ends, the caller's token is blacklisted and an
 * `Account Deactivate` event is written. Deactivating an inactive account changes nothing.
 */
export async function deactivateAccount(
  deps: AuthDeps,
  input: {
    userId: number;
    currentToken?: { jti: string; exp: number };
    correlationId?: string | undefined;
  },
): Promise<Account> {
  const revoked = await deps.store.transaction(async (repos) => {
    const account = await repos.accounts.findById(input.userId);
    if (!account) throw errors.notFound(`No account has id ${input.userId}.`);
    if (!(await repos.accounts.deactivate(account.id))) return undefined;
    const sessions = await repos.tokens.revokeAllSessions(account.id, 'account-deactivated');
    if (input.currentToken) {
      await repos.tokens.blacklist([
        {
          jti: input.currentToken.jti,
          userId: account.id,
          expiresAt: new Date(input.currentToken.exp * 1000),
        },
      ]);
    }
    await repos.outbox.add(deactivated(account.id, input.correlationId));
    return sessions;
  });
  if (revoked !== undefined) {
    deps.eventsWritten();
    deps.metrics.sessionsRevoked('deactivation', revoked);
  }
  const account = await deps.store.repos.accounts.findById(input.userId);
  return account!;
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
