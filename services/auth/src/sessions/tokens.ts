import { randomUUID } from 'node:crypto';
import { SignJWT, type CryptoKey, type JWTVerifyGetKey } from 'jose';
import { TOKEN_ALG, verifyToken, type TokenClaims, type TokenType } from '@platform/common';
import type { SessionProof } from './session-repository.js';

export interface IssuedToken {
  token: string;
  jti: string;
  expiresAt: Date;
}

export interface TokenPair {
  access: IssuedToken;
  refresh: IssuedToken;
}

export interface TokenSettings {
  issuer: string;
  audience: string;
  accessTtlSeconds: number;
  refreshTtlSeconds: number;
  /** A session's absolute lifetime: however often it is refreshed, no token of it outlives this. */
  sessionMaxLifetimeSeconds: number;
}

export interface TokenSubject {
  userId: number;
  roles: readonly string[];
  sessionId: string;
  /** Whether the account's address is proven (the `email_verified` claim). */
  emailVerified: boolean;
  /** The end of the session's absolute lifetime: both tokens expire by then at the latest. */
  notAfter?: Date | undefined;
  /** How the session's login was proven: the `amr` and `aal` claims. */
  proof: SessionProof;
}

/**
 * What makes a pair one pair: its two jtis and its issue time. Signed again from the same identity
 * and subject, a pair comes out the same (Ed25519 signatures are deterministic), so a refresh within
 * the reuse interval can answer with the pair it answered before without any token being stored.
 */
export interface PairIdentity {
  accessJti: string;
  refreshJti: string;
  issuedAt: Date;
}

/** The seed's clients read a single `role`: the most privileged one the account holds. */
export function primaryRole(roles: readonly string[]): string {
  return roles.includes('admin') ? 'admin' : (roles[0] ?? 'user');
}

/** Issues and verifies the service's JWTs. Verification here checks signature, expiry, issuer, audience and type. */
export class TokenService {
  constructor(
    private readonly settings: TokenSettings,
    private readonly signer: { kid: string; key: CryptoKey },
    private readonly verifyKey: JWTVerifyGetKey,
    private readonly now: () => number = Date.now,
  ) {}

  get refreshTtlSeconds(): number {
    return this.settings.refreshTtlSeconds;
  }

  /** Sessions started before this have reached their absolute lifetime by `now`. */
  sessionStartCutoff(now: Date): Date {
    return new Date(now.getTime() - this.settings.sessionMaxLifetimeSeconds * 1000);
  }

  /** When a session started at `createdAt` must end, refreshed or not. */
  sessionEnd(createdAt: Date): Date {
    return new Date(createdAt.getTime() + this.settings.sessionMaxLifetimeSeconds * 1000);
  }

  /** Fresh jtis, issued now. */
  newIdentity(): PairIdentity {
    return { accessJti: randomUUID(), refreshJti: randomUUID(), issuedAt: new Date(this.now()) };
  }

  async issuePair(
    subject: TokenSubject,
    identity: PairIdentity = this.newIdentity(),
  ): Promise<TokenPair> {
    const [access, refresh] = await Promise.all([
      this.issue('access', subject, this.settings.accessTtlSeconds, identity.accessJti, identity),
      this.issue(
        'refresh',
        subject,
        this.settings.refreshTtlSeconds,
        identity.refreshJti,
        identity,
      ),
    ]);
    return { access, refresh };
  }

  private async issue(
    type: TokenType,
    subject: TokenSubject,
    ttlSeconds: number,
    jti: string,
    identity: PairIdentity,
  ): Promise<IssuedToken> {
    const iat = Math.floor(identity.issuedAt.getTime() / 1000);
    const cap = subject.notAfter ? Math.floor(subject.notAfter.getTime() / 1000) : Infinity;
    const exp = Math.min(iat + ttlSeconds, cap);
    const token = await new SignJWT({
      type,
      sid: subject.sessionId,
      role: primaryRole(subject.roles),
      roles: [...subject.roles],
      email_verified: subject.emailVerified,
      amr: [...subject.proof.amr],
      aal: subject.proof.aal,
    })
      .setProtectedHeader({ alg: TOKEN_ALG, kid: this.signer.kid, typ: 'JWT' })
      .setSubject(String(subject.userId))
      .setJti(jti)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .setIssuer(this.settings.issuer)
      .setAudience(this.settings.audience)
      .sign(this.signer.key);
    return { token, jti, expiresAt: new Date(exp * 1000) };
  }

  /** Throws a 401 AppError that says what is wrong with the token. */
  async verify(token: string, expected: TokenType): Promise<TokenClaims> {
    return verifyToken(token, expected, this.verifyKey, this.settings, this.now);
  }
}
