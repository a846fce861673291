import { randomUUID } from 'node:crypto';
import { AppError, errors, type TokenClaims } from '@platform/common';
import type { Account } from '../accounts/account-repository.js';
import type { Repositories } from '../data/store.js';
import type { AuditEntry } from '../audit/audit-trail.js';
import { authErrors } from '../auth-errors.js';
import type { AuthDeps, RequestContext } from '../deps.js';
import type { RefreshOutcome } from '../metrics/metrics.js';
import { assertSessionMeetsPolicy } from '../factors/mfa-policy.js';
import { queueNewSignInNotice } from './new-sign-in.js';
import { endSessions } from './revocation.js';
import type { Session, SessionProof } from './session-repository.js';
import type { TokenPair } from './tokens.js';

/** The client that starts or refreshes a session, as its owner is shown it. */
export interface SessionClient {
  ip?: string | undefined;
  userAgent?: string | undefined;
  /** A login: mail the owner if it comes from a new device (NEW_SIGN_IN_NOTICE). */
  signIn?: boolean | undefined;
}

/** The longest User-Agent kept with a session; the rest is cut off. */
const USER_AGENT_MAX = 512;

/** A login proven by its password alone. */
export const PASSWORD_PROOF: SessionProof = { amr: ['pwd'], aal: 1 };

/**
 * Starts a session for the account (inside the caller's transaction, if any) and returns its first
 * token pair. A login's audit record is stored with the session, atomically, and logged.
 */
export async function startSession(
  deps: AuthDeps,
  repos: Repositories,
  account: Account,
  audit?: AuditEntry,
  client: SessionClient = {},
  proof: SessionProof = PASSWORD_PROOF,
): Promise<TokenPair> {
  const sessionId = randomUUID();
  const createdAt = new Date();
  const pair = deps.tokens.issuePair({
    userId: account.id,
    roles: account.roles,
    sessionId,
    emailVerified: account.emailVerified,
    notAfter: deps.tokens.sessionEnd(createdAt),
    proof,
  });
  const create = (into: Repositories) =>
    into.sessions.createSession(
      {
        id: sessionId,
        userId: account.id,
        refreshJti: pair.refresh.jti,
        accessJti: pair.access.jti,
        createdAt,
        expiresAt: pair.refresh.expiresAt,
        ip: client.ip?.slice(0, 64) ?? null,
        userAgent: client.userAgent?.slice(0, USER_AGENT_MAX) || null,
        proof,
      },
      audit,
    );
  if (client.signIn && deps.sessions.newSignInNotice) {
    // The notice is queued with the session it tells of, in one transaction (see Courier).
    const queued = await deps.store.transaction(async (tx) => {
      const notice = await queueNewSignInNotice(tx, account, client, audit?.requestId);
      await create(tx);
      return notice;
    });
    if (queued) deps.mailsWritten();
  } else {
    await create(repos);
  }
  if (audit) deps.audit.log(audit);
  return pair;
}

/** With EMAIL_VERIFICATION=required, an account is of no use until its address is proven. */
export function mustVerifyEmail(deps: AuthDeps, account: Account): boolean {
  return deps.recovery.emailVerification === 'required' && !account.emailVerified;
}

/**
 * Rotates a refresh token: the presented one is blacklisted and the session moves to the new one in a
 * single compare-and-swap, so of any number of concurrent refreshes with one token exactly one
 * rotates. A refresh token that was already rotated means it was copied: the whole session is revoked
 * (RFC 9700 §4.14.2), unless it is the token the session's current one replaced and the rotation
 * is younger than the reuse interval: then it gets the pair that rotation issued, signed again
 * (see reissue). No token of a session outlives its absolute lifetime.
 */
export async function refreshSession(
  deps: AuthDeps,
  refreshToken: string,
  request?: RequestContext,
): Promise<TokenPair> {
  await deps.throttle.limit('refresh', request?.ip);
  const refused = (outcome: RefreshOutcome, error: AppError) => {
    deps.metrics.refresh(outcome);
    return error;
  };
  const claims = await deps.tokens.verify(refreshToken, 'refresh').catch((err: unknown) => {
    if (err instanceof AppError && err.status === 401) {
      throw refused(err.code === 'token-expired' ? 'expired' : 'invalid', err);
    }
    throw err;
  });
  const { store } = deps;
  const reused = async () => {
    await revokeForReuse(deps, claims, request);
    return refused(
      'reuse_detected',
      errors.invalidToken('The refresh token has already been used; the session has been ended.'),
    );
  };
  const ended = () => refused('revoked', errors.invalidToken('The session has ended.'));
  const { session, blacklisted } = await store.repos.sessions.tokenState(claims.jti, claims.sid);
  if (!session || session.revokedAt) throw ended();
  const current = session.refreshJti === claims.jti && !blacklisted;
  if (!current && !withinReuseInterval(deps, session, claims.jti)) throw await reused();
  const endsAt = deps.tokens.sessionEnd(session.createdAt);
  if (endsAt.getTime() <= Date.now()) {
    throw refused(
      'expired',
      errors.invalidToken('The session has reached its maximum lifetime; log in again.'),
    );
  }
  const account = await store.repos.accounts.findById(Number(claims.sub));
  if (!account) throw refused('invalid', errors.invalidToken('The account no longer exists.'));
  if (!account.isActive) throw refused('revoked', errors.accountInactive());
  if (mustVerifyEmail(deps, account)) throw refused('revoked', authErrors.emailNotVerified());
  try {
    assertSessionMeetsPolicy(deps, account, session.proof);
  } catch (err) {
    throw refused('revoked', err as AppError);
  }
  if (!current) return reissue(deps, account, session);

  const identity = deps.tokens.newIdentity();
  const pair = deps.tokens.issuePair(
    {
      userId: account.id,
      roles: account.roles,
      sessionId: session.id,
      emailVerified: account.emailVerified,
      notAfter: endsAt,
      proof: session.proof,
    },
    identity,
  );
  const rotated = await store.repos.sessions.rotate(
    session.id,
    { jti: claims.jti, userId: account.id, expiresAt: new Date(claims.exp * 1000) },
    {
      jti: identity.refreshJti,
      accessJti: identity.accessJti,
      expiresAt: pair.refresh.expiresAt,
      issuedAt: identity.issuedAt,
      ip: request?.ip?.slice(0, 64) || null,
    },
  );
  if (!rotated) {
    // Another request rotated this token first: a retry or a second tab within the reuse interval
    // gets what that one got; otherwise, to the server, a copy and a retry look the same.
    const latest = (await store.repos.sessions.tokenState(claims.jti, claims.sid)).session;
    if (!latest || latest.revokedAt) throw ended();
    if (withinReuseInterval(deps, latest, claims.jti)) return reissue(deps, account, latest);
    throw await reused();
  }
  deps.metrics.refresh('rotated');
  deps.metrics.tokenPairIssued();
  return pair;
}

/**
 * Whether `jti` is the refresh token the session's current one replaced, less than the reuse
 * interval ago. A token two rotations back is not: once the successor has been used itself, the
 * old one is a copy whatever the time.
 */
function withinReuseInterval(deps: AuthDeps, session: Session, jti: string): boolean {
  const interval = deps.sessions.refreshReuseIntervalMs;
  return (
    interval > 0 &&
    session.previousRefreshJti === jti &&
    session.accessJti !== null &&
    session.refreshedAt !== null &&
    Date.now() - session.refreshedAt.getTime() < interval
  );
}

/**
 * The pair of the session's last rotation, signed again from its jtis and issue time: the same
 * tokens the rotation answered (Ed25519 is deterministic), so nothing usable is ever stored and no
 * new credential comes into being.
 */
async function reissue(deps: AuthDeps, account: Account, session: Session): Promise<TokenPair> {
  const pair = deps.tokens.issuePair(
    {
      userId: account.id,
      roles: account.roles,
      sessionId: session.id,
      emailVerified: account.emailVerified,
      notAfter: deps.tokens.sessionEnd(session.createdAt),
      proof: session.proof,
    },
    {
      accessJti: session.accessJti!,
      refreshJti: session.refreshJti,
      issuedAt: session.refreshedAt!,
    },
  );
  deps.metrics.refresh('reissued');
  return pair;
}

/** Ends the session of a reused refresh token, with its event, audit record, metric and log line. */
async function revokeForReuse(
  deps: AuthDeps,
  claims: TokenClaims,
  request: RequestContext | undefined,
): Promise<void> {
  const userId = Number(claims.sub);
  const ended = await deps.store.transaction(async (repos) => {
    const count = await endSessions(repos, {
      userId,
      reason: 'refresh_token_reuse',
      sessionIds: [claims.sid],
      correlationId: request?.requestId,
    });
    await deps.audit.record(
      {
        action: 'refresh_token_reuse',
        outcome: 'failure',
        reason: 'refresh_token_reuse',
        userId,
        ...request,
        details: { session_id: claims.sid, sessions_ended: count },
      },
      repos.audit,
    );
    return count;
  });
  if (ended > 0) deps.eventsWritten();
  deps.metrics.sessionsRevoked('refresh_token_reuse', ended);
  deps.logger.warn(
    { userId, sessionId: claims.sid, requestId: request?.requestId },
    'refresh token reuse detected; session revoked',
  );
}

export interface LogoutInput {
  userId: number;
  access: { jti: string; sid: string; exp: number };
  refreshToken?: string | undefined;
  request?: RequestContext | undefined;
}

/** Blacklists the access token and the refresh token and ends their session(s). */
export async function logout(deps: AuthDeps, input: LogoutInput): Promise<void> {
  const revoked = [
    { jti: input.access.jti, userId: input.userId, expiresAt: new Date(input.access.exp * 1000) },
  ];
  const sessions = new Set([input.access.sid]);
  const refresh =
    input.refreshToken === undefined
      ? undefined
      : await verifyUnlessExpired(deps, input.refreshToken);
  if (refresh) {
    if (Number(refresh.sub) !== input.userId) {
      throw errors.invalidToken('The refresh token belongs to another account.');
    }
    revoked.push({
      jti: refresh.jti,
      userId: input.userId,
      expiresAt: new Date(refresh.exp * 1000),
    });
    sessions.add(refresh.sid);
  }
  const ended = await deps.store.transaction(async (repos) => {
    await repos.sessions.blacklist(revoked);
    const count = await endSessions(repos, {
      userId: input.userId,
      reason: 'logout',
      sessionIds: [...sessions],
      correlationId: input.request?.requestId,
    });
    await deps.audit.record(
      {
        action: 'logout',
        outcome: 'success',
        userId: input.userId,
        ...input.request,
        details: { sessions_ended: count },
      },
      repos.audit,
    );
    return count;
  });
  if (ended > 0) deps.eventsWritten();
  deps.metrics.sessionsRevoked('logout', ended);
}

/** An expired refresh token is dead already; logging out with one still ends the access token's session. */
async function verifyUnlessExpired(
  deps: AuthDeps,
  token: string,
): Promise<TokenClaims | undefined> {
  try {
    return await deps.tokens.verify(token, 'refresh');
  } catch (err) {
    if (err instanceof AppError && err.code === 'token-expired') return undefined;
    throw err;
  }
}
