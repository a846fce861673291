// Where the client keeps the caller's tokens. The store is the one place they live: the client reads
// the access token from it for each request and writes every pair the services issue into it.

/** The two tokens of a session, as the services issue them (`token_pair`). */
export interface TokenPair {
  accessToken: string;
  refreshToken: string;
}

/**
 * The caller's tokens. Synchronous or not (an IndexedDB or a secure-storage store may be async); a
 * store shared by several clients (tabs of a browser) sees the newest pair any of them wrote.
 */
export interface TokenStore {
  get(): TokenPair | undefined | Promise<TokenPair | undefined>;
  set(pair: TokenPair): void | Promise<void>;
  clear(): void | Promise<void>;
}

/** Keeps the tokens in memory: gone when the process or page ends. */
export class MemoryTokenStore implements TokenStore {
  private pair: TokenPair | undefined;

  constructor(initial?: TokenPair) {
    this.pair = initial;
  }

  get(): TokenPair | undefined {
    return this.pair;
  }

  set(pair: TokenPair): void {
    this.pair = pair;
  }

  clear(): void {
    this.pair = undefined;
  }
}

/** The pair of a services' answer that carries one (AuthResponseSchema or TokenResponseSchema). */
export function pairOf(body: unknown): TokenPair | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const source = 'token_pair' in body ? (body as { token_pair: unknown }).token_pair : body;
  const { access_token: access, refresh_token: refresh } = (source ?? {}) as Record<
    string,
    { token?: unknown } | undefined
  >;
  if (typeof access?.token !== 'string' || typeof refresh?.token !== 'string') return undefined;
  return { accessToken: access.token, refreshToken: refresh.token };
}
