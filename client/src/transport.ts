// The fetch under both openapi-fetch clients: it adds the bearer token to the operations that need
// it, refreshes once for any number of requests that meet an expired token, solves the login's proof
// of work when asked (428), waits out a 429 or 503 that says when to come back, and keeps the token
// store current with what the services issue and end.
import { ROUTES, type Route } from './generated/routes.js';
import { solveChallenge, type Challenge } from './challenge.js';
import { asProblem, type Problem } from './problem.js';
import { pairOf, type TokenStore } from './tokens.js';

export type Service = 'auth' | 'user';

export interface TransportOptions {
  bases: Record<Service, string>;
  store: TokenStore;
  fetch: (request: Request) => Promise<Response>;
  solveChallenges: boolean;
  maxRetries: number;
  maxRetryDelayMs: number;
  onSessionEnd: ((problem: Problem) => void) | undefined;
}

const COMPILED = ROUTES.map((route) => ({ route, pattern: new RegExp(route.pattern) }));

export class Transport {
  /** The refresh in flight, which every request that met an expired token waits for. */
  private refreshing: Promise<string | undefined> | undefined;

  constructor(private readonly options: TransportOptions) {}

  /** The fetch of one service's client. */
  fetchFor(service: Service): (request: Request) => Promise<Response> {
    return (request) => this.send(service, request);
  }

  async send(service: Service, original: Request): Promise<Response> {
    const route = this.routeOf(service, original);
    let body = original.body === null ? undefined : await original.clone().text();
    let challenged = false;
    let refreshed = false;
    let retries = 0;
    for (;;) {
      const headers = new Headers(original.headers);
      let token: string | undefined;
      if (route?.secured && !headers.has('authorization')) {
        token = (await this.options.store.get())?.accessToken;
        if (token) headers.set('authorization', `Bearer ${token}`);
      }
      const response = await this.options.fetch(
        new Request(original.url, {
          method: original.method,
          headers,
          body,
          signal: original.signal,
          credentials: original.credentials,
          redirect: original.redirect,
        }),
      );
      if (response.status === 401 && token && !refreshed) {
        refreshed = true;
        if (await this.refreshOnce(token)) {
          await discard(response);
          continue;
        }
        return response;
      }
      const json = response.status === 428 ? parseObject(body) : undefined;
      if (json && !challenged && this.options.solveChallenges) {
        challenged = true;
        body = JSON.stringify({ ...json, altcha: await this.solve(original.signal) });
        await discard(response);
        continue;
      }
      if (
        (response.status === 429 || response.status === 503) &&
        retries < this.options.maxRetries
      ) {
        const delay = retryAfterMs(response.headers.get('retry-after'));
        if (delay !== undefined && delay <= this.options.maxRetryDelayMs) {
          retries += 1;
          await discard(response);
          await sleep(delay, original.signal);
          continue;
        }
      }
      if (response.ok && route?.tokens) await this.keep(route, response);
      return response;
    }
  }

  /**
   * A fresh access token for a request refused with `used`: one refresh for all such requests at
   * once; none when the store already holds a newer token (another request or another client of a
   * shared store refreshed meanwhile). Undefined when the session has ended.
   */
  private refreshOnce(used: string): Promise<string | undefined> {
    this.refreshing ??= this.refresh(used).finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async refresh(used: string): Promise<string | undefined> {
    const current = await this.options.store.get();
    if (!current) return undefined;
    if (current.accessToken !== used) return current.accessToken;
    const response = await this.send(
      'auth',
      new Request(`${this.options.bases.auth}/refresh`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refresh_token: current.refreshToken }),
      }),
    );
    if (response.ok) return (await this.options.store.get())?.accessToken;
    const problem = asProblem(await response.json().catch(() => undefined), response);
    if (response.status === 401 || response.status === 403) {
      await this.options.store.clear();
      this.options.onSessionEnd?.(problem);
    }
    return undefined;
  }

  private async solve(signal: AbortSignal): Promise<string> {
    const response = await this.options.fetch(
      new Request(`${this.options.bases.auth}/challenge`, { signal }),
    );
    if (!response.ok) throw new Error(`GET /challenge answered ${response.status}`);
    return solveChallenge((await response.json()) as Challenge, signal);
  }

  /** The store follows an answer that issued a pair or ended the session. */
  private async keep(route: Route, response: Response): Promise<void> {
    if (route.tokens === 'ends') {
      await this.options.store.clear();
      return;
    }
    const pair = pairOf(
      await response
        .clone()
        .json()
        .catch(() => undefined),
    );
    if (pair) await this.options.store.set(pair);
  }

  private routeOf(service: Service, request: Request): Route | undefined {
    const base = new URL(this.options.bases[service]).pathname.replace(/\/+$/, '');
    let path = new URL(request.url).pathname;
    if (base && path.startsWith(base)) path = path.slice(base.length);
    return COMPILED.find(
      ({ route, pattern }) =>
        route.service === service && route.method === request.method && pattern.test(path),
    )?.route;
  }
}

/** Retry-After as milliseconds from now: delay-seconds or an HTTP date; undefined if neither. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function parseObject(body: string | undefined): Record<string, unknown> | undefined {
  if (body === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

async function discard(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => undefined);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', abort);
      resolve();
    }, ms);
    const abort = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', abort, { once: true });
  });
}
