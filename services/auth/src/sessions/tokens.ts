import { randomUUID, sign, type KeyObject } from 'node:crypto';
import type { JWTVerifyGetKey } from 'jose';
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
  /** The protected header, the same for every token: encoded once. */
  private readonly header: string;

  constructor(
    private readonly settings: TokenSettings,
    private readonly signer: { kid: string; key: KeyObject },
    private readonly verifyKey: JWTVerifyGetKey,
    private readonly now: () => number = Date.now,
  ) {
    this.header = base64url({ alg: TOKEN_ALG, kid: signer.kid, typ: 'JWT' });
  }

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

  issuePair(subject: TokenSubject, identity: PairIdentity = this.newIdentity()): TokenPair {
    const iat = Math.floor(identity.issuedAt.getTime() / 1000);
    const cap = subject.notAfter ? Math.floor(subject.notAfter.getTime() / 1000) : Infinity;
    const session = {
      sid: subject.sessionId,
      role: primaryRole(subject.roles),
      roles: subject.roles,
      email_verified: subject.emailVerified,
      amr: subject.proof.amr,
      aal: subject.proof.aal,
      sub: String(subject.userId),
    };
    const issue = (type: TokenType, jti: string, ttlSeconds: number): IssuedToken => {
      const exp = Math.min(iat + ttlSeconds, cap);
      const { issuer: iss, audience: aud } = this.settings;
      return {
        token: this.sign({ type, ...session, jti, iat, exp, iss, aud }),
        jti,
        expiresAt: new Date(exp * 1000),
      };
    };
    return {
      access: issue('access', identity.accessJti, this.settings.accessTtlSeconds),
      refresh: issue('refresh', identity.refreshJti, this.settings.refreshTtlSeconds),
    };
  }

  /**
   * A compact JWS as jose's SignJWT writes it (the same claims in the same order), signed with
   * node:crypto in the call: 33 µs per Ed25519 signature here, where WebCrypto's (68 µs) is a job
   * on libuv's pool, the pool the hashes share, and back.
   */
  private sign(claims: object): string {
    const input = `${this.header}.${base64url(claims)}`;
    return `${input}.${sign(null, Buffer.from(input), this.signer.key).toString('base64url')}`;
  }

  /** Throws a 401 AppError that says what is wrong with the token. */
  async verify(token: string, expected: TokenType): Promise<TokenClaims> {
    return verifyToken(token, expected, this.verifyKey, this.settings, this.now);
  }
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
