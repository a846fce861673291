import { errors, isUniqueViolation, schemaValidator } from '@platform/common';
import type { Repositories } from '../data/store.js';
import type { AuthDeps } from '../deps.js';
import type { MailLocale } from '../mail/mail.js';
import { queueVerification } from '../recovery/email-verification.js';
import { queueMail } from '../recovery/mailer.js';
import { startSession } from '../sessions/sessions.js';
import type { TokenPair } from '../sessions/tokens.js';
import type { Account } from './account-repository.js';
import { registered } from './account-events.js';
import { ADMIN_ROLE, DEFAULT_ROLE } from './accounts.js';

export interface Registration {
  displayName: string;
  login: string;
  email: string;
  password: string;
  /** The language of the account's mails (from Accept-Language). */
  locale?: MailLocale | undefined;
  correlationId?: string | undefined;
  /** The client's address (per-IP registration limit); absent for the command line. */
  ip?: string | undefined;
  /** The client's User-Agent, kept with the session it starts. */
  userAgent?: string | undefined;
}

export interface SignedIn {
  account: Account;
  tokens: TokenPair;
}

/** Signed in (EMAIL_VERIFICATION off or optional), or accepted: nothing to use before the proof. */
export type RegistrationResult = ({ kind: 'signed-in' } & SignedIn) | { kind: 'accepted' };

/**
 * Creates the account with its roles, its `Register` event, its verification mail (unless
 * EMAIL_VERIFICATION is off) and, unless verification is required, its first session, in one
 * transaction. With verification required, a taken email is answered like a new one and its owner
 * is mailed instead, so registration does not tell which emails are registered; a taken login is a
 * 409 in every mode. The password is hashed before the transaction (no lock held during argon2), and
 * also when the email is taken (the same work either way).
 */
export async function registerAccount(
  deps: AuthDeps,
  input: Registration,
): Promise<RegistrationResult> {
  await deps.throttle.limit('register', input.ip);
  checkPassword(deps, input);
  const required = deps.recovery.emailVerification === 'required';
  const taken = await assertAvailable(deps, input, required);
  const hashedPassword = await deps.passwords.hash(input.password);
  if (taken) return tellOwner(deps, input);
  try {
    const created = await createAccount(deps, input, hashedPassword, {
      roles: [DEFAULT_ROLE],
      verified: false,
    });
    return created.tokens
      ? { kind: 'signed-in', account: created.account, tokens: created.tokens }
      : { kind: 'accepted' };
  } catch (err) {
    // Two registrations raced past the check above; the unique index decided.
    if (!isUniqueViolation(err)) throw err;
    if (await assertAvailable(deps, input, required)) return tellOwner(deps, input);
    throw err;
  }
}

function checkPassword(deps: AuthDeps, input: Registration): void {
  const problems = deps.passwordPolicy.problems(input.password, input);
  if (problems.length === 0) return;
  deps.metrics.registration('invalid');
  throw errors.validation(
    problems.map((message) => ({ field: 'password', message })),
    'The password does not meet the password policy.',
  );
}

/** 409 for a taken login (and a taken email, unless `hideEmail`); true when the email is taken. */
async function assertAvailable(
  deps: AuthDeps,
  input: Registration,
  hideEmail: boolean,
): Promise<boolean> {
  const taken = await deps.store.repos.accounts.taken(input.login, input.email);
  const fields = [
    ...(taken.login ? [{ field: 'login', message: 'is already taken' }] : []),
    ...(taken.email && !hideEmail ? [{ field: 'email', message: 'is already registered' }] : []),
  ];
  if (fields.length > 0) {
    deps.metrics.registration('conflict');
    throw errors.conflict('An account with this login or email already exists.', fields);
  }
  return taken.email;
}

/** EMAIL_VERIFICATION=required and the email is taken: its owner learns of the attempt. */
async function tellOwner(deps: AuthDeps, input: Registration): Promise<RegistrationResult> {
  const owner = await deps.store.repos.accounts.findByEmail(input.email);
  if (owner) {
    await deps.store.transaction((repos) =>
      queueMail(repos, {
        to: owner.email,
        locale: owner.locale,
        template: 'email_in_use',
        params: { attempt: 'registration' },
        correlationId: input.correlationId,
      }),
    );
    deps.mailsWritten();
  }
  deps.metrics.registration('conflict');
  return { kind: 'accepted' };
}

/** The account, its event, and its verification mail or (when it may be used at once) its session. */
async function createAccount(
  deps: AuthDeps,
  input: Registration,
  hashedPassword: string,
  opts: { roles: string[]; verified: boolean; session?: boolean },
): Promise<{ account: Account; tokens: TokenPair | undefined }> {
  const mode = deps.recovery.emailVerification;
  const usable = opts.verified || mode !== 'required';
  const result = await deps.store.transaction(async (repos: Repositories) => {
    const account = await repos.accounts.create(
      {
        login: input.login,
        email: input.email,
        hashedPassword,
        locale: input.locale,
        emailVerified: opts.verified,
      },
      opts.roles,
    );
    await repos.outbox.add(registered(account.id, input.displayName, input.correlationId));
    if (!opts.verified && mode !== 'off') {
      await queueVerification(deps, repos, account, input.correlationId);
    }
    const session = usable && opts.session !== false;
    const client = { ip: input.ip, userAgent: input.userAgent };
    const tokens = session
      ? await startSession(deps, repos, account, undefined, client)
      : undefined;
    return { account, tokens };
  });
  deps.eventsWritten();
  deps.mailsWritten();
  deps.metrics.registration('created');
  if (result.tokens) deps.metrics.tokenPairIssued();
  return result;
}

const checkRegistration = schemaValidator('auth.yaml', 'RegisterSchema');

/**
 * Makes sure an administrator account exists: creates it (with a profile event; its address taken
 * as proven, since an operator gives it) or grants the admin role to the existing account of that
 * login. Used by `create-admin` and the ADMIN_* variables.
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
  checkPassword(deps, input);
  await assertAvailable(deps, input, false);
  const { account } = await createAccount(deps, input, await deps.passwords.hash(input.password), {
    roles: [DEFAULT_ROLE, ADMIN_ROLE],
    verified: true,
    session: false,
  });
  return { account, created: true };
}
