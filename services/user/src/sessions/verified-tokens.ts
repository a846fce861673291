import type { TokenClaims } from '@platform/common';

/**
 * Tokens whose signature and claims were already verified, so a client that presents the same access
 * token again skips the Ed25519 check (about five times the rest of a request). Bounded (least
 * recently used first out) and honouring expiry: an entry is dropped once its token's `exp` has
 * passed. Revocation is not cached: it is checked on every request.
 */
export class VerifiedTokens {
  private readonly entries = new Map<string, TokenClaims>();

  constructor(
    private readonly capacity: number,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get(token: string): TokenClaims | undefined {
    const claims = this.entries.get(token);
    if (!claims) return undefined;
    this.entries.delete(token);
    if (claims.exp * 1000 <= this.now()) return undefined;
    this.entries.set(token, claims); // most recently used last
    return claims;
  }

  set(token: string, claims: TokenClaims): void {
    if (this.capacity === 0) return;
    this.entries.delete(token);
    this.entries.set(token, claims);
    while (this.entries.size > this.capacity) {
      this.entries.delete(this.entries.keys().next().value!);
    }
  }
}
