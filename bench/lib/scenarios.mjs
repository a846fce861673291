// What the scenarios send: accounts to log in with, access tokens, and a pool of refresh tokens.
import { randomBytes } from 'node:crypto';
import { percentile } from './baselines.mjs';
import { expectStatus, request, waitFor } from './http.mjs';
import { round } from './load.mjs';

export const PASSWORD = 'BenchPass123!';
const JSON_HEADERS = { 'content-type': 'application/json' };

/** A FIFO of unused refresh tokens; each is taken once, and a rotation puts its successor back. */
export class TokenPool {
  constructor(capacity) {
    this.capacity = capacity;
    this.items = [];
    this.head = 0;
    this.exhausted = 0;
  }
  get size() {
    return this.items.length - this.head;
  }
  push(token) {
    if (typeof token === 'string' && this.size < this.capacity) this.items.push(token);
  }
  take() {
    if (this.head >= this.items.length) return undefined;
    const token = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return token;
  }
}

/** Shared state of a run: the services, the seeded accounts, the refresh-token pool. */
export function createState({ authUrl, userUrl, poolCapacity }) {
  const tag = `bn${randomBytes(3).toString('hex')}`;
  let seq = 0;
  let nextAccount = 0;
  const state = {
    authUrl,
    userUrl,
    /** @type {{ login: string, access: string }[]} */
    accounts: [],
    pool: new TokenPool(poolCapacity),
    /** A register body no other request of the run uses (login 3–30 of [a-z0-9_]). */
    newAccountBody() {
      const login = `${tag}_${(seq++).toString(36)}`;
      return {
        display_name: 'Bench User',
        login,
        email: `${login}@example.com`,
        password: PASSWORD,
      };
    },
    /** The seeded accounts in turn. */
    nextAccount() {
      const account = state.accounts[nextAccount];
      nextAccount = (nextAccount + 1) % state.accounts.length;
      return account;
    },
    /** Keeps the refresh token of a register, login or refresh answer (a JSON string or object). */
    harvest(body) {
      try {
        const json = typeof body === 'string' ? JSON.parse(body) : body;
        state.pool.push((json.token_pair ?? json).refresh_token.token);
      } catch {
        // not a token answer; the status code is counted elsewhere
      }
    },
  };
  return state;
}

/** Registers `count` accounts (`concurrency` at a time) and waits until the user service has their profiles. */
export async function seedAccounts(state, count, concurrency, signal) {
  let next = 0;
  const worker = async () => {
    while (next < count && !signal.aborted) {
      next++;
      const body = state.newAccountBody();
      const res = await request(`${state.authUrl}/register`, { method: 'POST', body });
      const json = expectStatus(res, 201, 'seeding: POST /register');
      state.accounts.push({ login: body.login, access: json.token_pair.access_token.token });
      state.harvest(json);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  for (const account of state.accounts) {
    await waitFor(
      async () =>
        (await request(`${state.userUrl}/profile`, { token: account.access })).status === 200,
      30_000,
      () => `seeding: the profile of ${account.login} did not appear on the user service in 30 s`,
      20,
    );
  }
}

/** Logs seeded accounts in until the refresh-token pool holds `min` tokens. */
export async function fillPool(state, min, concurrency, signal) {
  const worker = async () => {
    while (state.pool.size < min && !signal.aborted) {
      const { login } = state.nextAccount();
      const res = await request(`${state.authUrl}/login`, {
        method: 'POST',
        body: { login, password: PASSWORD },
      });
      state.harvest(expectStatus(res, 200, 'pre-issuing refresh tokens: POST /login'));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** autocannon request lists of the single-endpoint scenarios. */
export function autocannonRequests(state) {
  return {
    register: [
      {
        method: 'POST',
        path: '/register',
        headers: JSON_HEADERS,
        setupRequest: (req) => ({ ...req, body: JSON.stringify(state.newAccountBody()) }),
        onResponse: (status, body) => status === 201 && state.harvest(body),
      },
    ],
    login: [
      {
        method: 'POST',
        path: '/login',
        headers: JSON_HEADERS,
        setupRequest: (req) => ({
          ...req,
          body: JSON.stringify({ login: state.nextAccount().login, password: PASSWORD }),
        }),
        onResponse: (status, body) => status === 200 && state.harvest(body),
      },
    ],
    refresh: [
      {
        method: 'POST',
        path: '/refresh',
        headers: JSON_HEADERS,
        setupRequest: (req) => ({
          ...req,
          body: JSON.stringify({ refresh_token: takeRefresh(state) }),
        }),
        onResponse: (status, body) => status === 200 && state.harvest(body),
      },
    ],
    profile: [
      {
        method: 'GET',
        path: '/profile',
        setupRequest: (req) => ({
          ...req,
          headers: { ...req.headers, authorization: `Bearer ${state.nextAccount().access}` },
        }),
      },
    ],
    editBio: [
      {
        method: 'PATCH',
        path: '/edit-bio',
        setupRequest: (req) => ({
          ...req,
          headers: {
            ...req.headers,
            ...JSON_HEADERS,
            authorization: `Bearer ${state.nextAccount().access}`,
          },
          body: JSON.stringify({ bio: `Benchmark bio ${randomBytes(6).toString('hex')}` }),
        }),
      },
    ],
  };
}

/** An unused refresh token; when the pool is empty, a token the service rejects (counted as non-2xx). */
function takeRefresh(state) {
  const token = state.pool.take();
  if (token) return token;
  state.pool.exhausted++;
  return 'refresh-token-pool-exhausted';
}

/** The mixed workload: 70 % profile reads, 20 % refreshes, 8 % logins, 2 % registrations. */
export function mixKinds(state) {
  return [
    {
      name: 'profile',
      weight: 70,
      next: () => ({
        url: `${state.userUrl}/profile`,
        method: 'GET',
        token: state.nextAccount().access,
      }),
    },
    {
      name: 'refresh',
      weight: 20,
      next: () => ({
        url: `${state.authUrl}/refresh`,
        method: 'POST',
        body: { refresh_token: takeRefresh(state) },
      }),
      onResponse: (status, body) => status === 200 && state.harvest(body),
    },
    {
      name: 'login',
      weight: 8,
      next: () => ({
        url: `${state.authUrl}/login`,
        method: 'POST',
        body: { login: state.nextAccount().login, password: PASSWORD },
      }),
      onResponse: (status, body) => status === 200 && state.harvest(body),
    },
    {
      name: 'register',
      weight: 2,
      next: () => ({
        url: `${state.authUrl}/register`,
        method: 'POST',
        body: state.newAccountBody(),
      }),
      onResponse: (status, body) => status === 201 && state.harvest(body),
    },
  ];
}

/**
 * Event propagation, one sample at a time: POST /register answered → GET /profile on the user service
 * answers 200 (polled back to back, so a sample is at least one poll's round trip). Returns the new
 * accounts for the deactivation samples.
 */
export async function measureRegisterPropagation(state, samples, signal, timeoutMs = 10_000) {
  const latencies = [];
  const accounts = [];
  const failures = [];
  let polls = 0;
  let firstPoll = 0;
  for (let i = 0; i < samples && !signal.aborted; i++) {
    try {
      const res = await request(`${state.authUrl}/register`, {
        method: 'POST',
        body: state.newAccountBody(),
      });
      const json = expectStatus(res, 201, 'POST /register');
      const access = json.token_pair.access_token.token;
      const { latency, tries } = await pollUntilStatus(
        state.userUrl,
        access,
        200,
        res.at,
        timeoutMs,
      );
      latencies.push(latency);
      polls += tries;
      if (tries === 1) firstPoll++;
      accounts.push({ access });
    } catch (err) {
      failures.push(err.message);
      if (failures.length > 10) break;
    }
  }
  return { ...latencyStats(latencies, polls, firstPoll), failures, accounts };
}

/**
 * Revocation propagation, one sample per account: `path` answered by the auth service (for its token)
 * → GET /profile on the user service answers `refused` for the same token. Logout → 401 (the Sessions
 * Revoked event); account-delete → 403 (Account Deactivate, and the sessions it ended).
 */
async function measureRefusalPropagation(state, accounts, signal, op, timeoutMs) {
  const latencies = [];
  const failures = [];
  let polls = 0;
  let firstPoll = 0;
  for (const { access } of accounts) {
    if (signal.aborted) break;
    try {
      const res = await request(`${state.authUrl}${op.path}`, { method: 'POST', token: access });
      expectStatus(res, op.status, `POST ${op.path}`);
      const { latency, tries } = await pollUntilStatus(
        state.userUrl,
        access,
        op.refused,
        res.at,
        timeoutMs,
      );
      latencies.push(latency);
      polls += tries;
      if (tries === 1) firstPoll++;
    } catch (err) {
      failures.push(err.message);
      if (failures.length > 10) break;
    }
  }
  return { ...latencyStats(latencies, polls, firstPoll), failures };
}

export const measureDeactivationPropagation = (state, accounts, signal, timeoutMs = 10_000) =>
  measureRefusalPropagation(
    state,
    accounts,
    signal,
    { path: '/account-delete', status: 200, refused: 403 },
    timeoutMs,
  );

export const measureLogoutPropagation = (state, accounts, signal, timeoutMs = 10_000) =>
  measureRefusalPropagation(
    state,
    accounts,
    signal,
    { path: '/logout', status: 204, refused: 401 },
    timeoutMs,
  );

async function pollUntilStatus(userUrl, token, status, since, timeoutMs) {
  let tries = 0;
  for (;;) {
    tries++;
    const res = await request(`${userUrl}/profile`, { token });
    if (res.status === status) return { latency: res.at - since, tries };
    if (res.at - since > timeoutMs) {
      throw new Error(
        `GET /profile did not answer ${status} within ${timeoutMs} ms (last: ${res.status})`,
      );
    }
  }
}

function latencyStats(latencies, polls, firstPoll) {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    samples: sorted.length,
    p50: round(percentile(sorted, 50), 2),
    p99: round(percentile(sorted, 99), 2),
    max: round(sorted[sorted.length - 1] ?? null, 2),
    meanPolls: round(sorted.length ? polls / sorted.length : null, 2),
    visibleAtFirstPoll: round(sorted.length ? firstPoll / sorted.length : null, 3),
  };
}
