// The load scenarios, one row each, measured in this order by one loop (bench/lib/benchmark.mjs).
// A row says what it sends (`send` gives each request's token and body), to which service, on which
// connections ('argon2': four per argon2 slot; 'http': settings.connections), which baseline bounds
// it (bench/lib/bounds.mjs), whether it spends refresh tokens (the pool is refilled first), and its
// weight in the mixed workload. `keeps` is the status of an answer whose refresh token goes back
// into the pool.
import { randomBytes } from 'node:crypto';
import { PASSWORD } from './accounts.mjs';

const endpoint = (row) => ({ ...row, name: `${row.method} ${row.path}` });

const ENDPOINTS = [
  endpoint({
    key: 'register',
    service: 'auth',
    method: 'POST',
    path: '/register',
    connections: 'argon2',
    bound: 'argon2-hash',
    mixWeight: 2,
    keeps: 201,
    send: (state) => ({ body: state.newAccountBody() }),
  }),
  endpoint({
    key: 'login',
    service: 'auth',
    method: 'POST',
    path: '/login',
    connections: 'argon2',
    bound: 'argon2-verify',
    mixWeight: 8,
    keeps: 200,
    send: (state) => ({ body: { login: state.nextAccount().login, password: PASSWORD } }),
  }),
  endpoint({
    key: 'refresh',
    service: 'auth',
    method: 'POST',
    path: '/refresh',
    connections: 'http',
    bound: 'jose',
    refills: true,
    mixWeight: 20,
    keeps: 200,
    send: (state) => ({ body: { refresh_token: state.takeRefresh() } }),
  }),
  endpoint({
    key: 'profile',
    service: 'user',
    method: 'GET',
    path: '/profile',
    connections: 'http',
    bound: 'jose',
    mixWeight: 70,
    send: (state) => ({ token: state.nextAccount().access }),
  }),
  endpoint({
    key: 'edit-bio',
    service: 'user',
    method: 'PATCH',
    path: '/edit-bio',
    connections: 'http',
    bound: 'jose',
    mixWeight: 0,
    send: (state) => ({
      token: state.nextAccount().access,
      body: { bio: `Benchmark bio ${randomBytes(6).toString('hex')}` },
    }),
  }),
];

/** The mixed workload's kinds of request, the most frequent first. */
export const MIX = ENDPOINTS.filter((e) => e.mixWeight > 0).sort(
  (a, b) => b.mixWeight - a.mixWeight,
);

export const SCENARIOS = [
  ...ENDPOINTS,
  {
    key: 'mixed',
    name: `mixed ${MIX.map((e) => e.mixWeight).join('/')}`,
    mix: true,
    connections: 'http',
    bound: 'mixed',
    refills: true,
  },
];

/** The base URL of the service an endpoint belongs to. */
export const urlOf = (state, endpoint) =>
  endpoint.service === 'auth' ? state.authUrl : state.userUrl;

/** A refresh token of an answer with the row's `keeps` status goes back into the pool. */
export const keeper = (endpoint, state) =>
  endpoint.keeps && ((status, body) => status === endpoint.keeps && state.harvest(body));
