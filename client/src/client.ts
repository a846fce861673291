// The client of both services: an openapi-fetch client each, typed by the contracts, over one
// transport (./transport.ts) that handles tokens, challenges and limits for them.
import createClient, { type Client } from 'openapi-fetch';
import type { paths as AuthPaths } from './generated/auth-api.js';
import type { paths as UserPaths } from './generated/user-api.js';
import { unwrap, type Problem } from './problem.js';
import { MemoryTokenStore, type TokenStore } from './tokens.js';
import { Transport, type Service } from './transport.js';

export interface ClientOptions {
  /**
   * Where the services are: the gateway's API prefix (`https://example.com/api`), which serves both,
   * or each service's own URL (`{ auth: 'http://127.0.0.1:8000', user: 'http://127.0.0.1:8001' }`).
   */
  baseUrl: string | Record<Service, string>;
  /** Where the tokens live (default: in memory). */
  tokens?: TokenStore;
  /** The fetch to send with (default: globalThis.fetch). */
  fetch?: (request: Request) => Promise<Response>;
  /** Solve the login's proof of work when the auth service asks for it (428). Default true. */
  solveChallenges?: boolean;
  /** How many times a 429 or 503 with Retry-After is waited out and retried. Default 2. */
  maxRetries?: number;
  /** The longest Retry-After waited out; a longer one is the caller's answer. Default 30,000 ms. */
  maxRetryDelayMs?: number;
  /** Called when a refresh is refused: the session has ended and the store is cleared. */
  onSessionEnd?: (problem: Problem) => void;
}

export interface PlatformClient {
  /** The auth service's operations (openapi/auth.yaml), e.g. `auth.POST('/login', { body })`. */
  auth: Client<AuthPaths>;
  /** The user service's operations (openapi/user.yaml), e.g. `user.GET('/profile')`. */
  user: Client<UserPaths>;
  tokens: TokenStore;
  /** Logs in (the pair goes into the store); a refusal is thrown as a ProblemError. */
  login(
    body: AuthPaths['/login']['post']['requestBody']['content']['application/json'],
  ): Promise<AuthPaths['/login']['post']['responses']['200']['content']['application/json']>;
  /**
   * The second step of a login that threw `mfa-required` (see `mfaRequired()`): its `mfa_token` and
   * a TOTP code, a recovery code or a passkey's assertion; the pair goes into the store.
   */
  completeMfa(
    body: AuthPaths['/login/mfa']['post']['requestBody']['content']['application/json'],
  ): Promise<AuthPaths['/login/mfa']['post']['responses']['200']['content']['application/json']>;
  /** Ends the stored session at the service and clears the store (also when it had ended). */
  logout(): Promise<void>;
}

export function createPlatformClient(options: ClientOptions): PlatformClient {
  const bases = basesOf(options.baseUrl);
  const store = options.tokens ?? new MemoryTokenStore();
  const transport = new Transport({
    bases,
    store,
    fetch: options.fetch ?? ((request) => globalThis.fetch(request)),
    solveChallenges: options.solveChallenges ?? true,
    maxRetries: options.maxRetries ?? 2,
    maxRetryDelayMs: options.maxRetryDelayMs ?? 30_000,
    onSessionEnd: options.onSessionEnd,
  });
  const auth = createClient<AuthPaths>({ baseUrl: bases.auth, fetch: transport.fetchFor('auth') });
  const user = createClient<UserPaths>({ baseUrl: bases.user, fetch: transport.fetchFor('user') });
  return {
    auth,
    user,
    tokens: store,
    login: async (body) => unwrap(await auth.POST('/login', { body })),
    completeMfa: async (body) => unwrap(await auth.POST('/login/mfa', { body })),
    logout: async () => {
      const pair = await store.get();
      if (!pair) return;
      const { response } = await auth.POST('/logout', {
        body: { refresh_token: pair.refreshToken },
      });
      // 401: the session had ended already; either way nothing of it is kept.
      if (!response.ok) await store.clear();
    },
  };
}

function basesOf(baseUrl: ClientOptions['baseUrl']): Record<Service, string> {
  const trim = (url: string) => {
    new URL(url); // a clear error for a URL that is not one
    return url.replace(/\/+$/, '');
  };
  if (typeof baseUrl === 'string') return { auth: trim(baseUrl), user: trim(baseUrl) };
  return { auth: trim(baseUrl.auth), user: trim(baseUrl.user) };
}
