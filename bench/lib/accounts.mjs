// What the scenarios send with: accounts to log in with, their access tokens, and a pool of unused
// refresh tokens, seeded before the load starts.
import { randomBytes } from 'node:crypto';
import { expectStatus, request, waitFor } from './http.mjs';
import { TokenPool } from './token-pool.mjs';

export const PASSWORD = 'BenchPass123!';

/** Shared state of a run: the services, the seeded accounts, the refresh-token pool. */
export function createState({ authUrl, userUrl, poolCapacity }) {
  const tag = `bn${randomBytes(3).toString('hex')}`;
  let seq = 0;
  let nextAccount = 0;
  const state = {
    authUrl,
    userUrl,
    /** @type {{ login: string, email: string, access: string }[]} */
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
    /** An unused refresh token; when the pool is empty, one the service rejects (a non-2xx). */
    takeRefresh() {
      const token = state.pool.take();
      if (token) return token;
      state.pool.exhausted++;
      return 'refresh-token-pool-exhausted';
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
      state.accounts.push({
        login: body.login,
        email: body.email,
        access: json.token_pair.access_token.token,
      });
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

/**
 * Registers `count` accounts of their own for a measurement and gives each a factor: `enrol(account)`
 * for each, `threadPoolSize` at a time; what it returns, in the accounts' order.
 */
export async function seedAccountsWith({ config, life, stack }, count, enrol) {
  const state = createState({ authUrl: stack.authUrl, userUrl: stack.userUrl, poolCapacity: 0 });
  await seedAccounts(state, count, config.threadPoolSize, life.signal);
  const enrolled = [];
  let next = 0;
  const worker = async () => {
    while (next < state.accounts.length && !life.signal.aborted) {
      const i = next++;
      enrolled[i] = await enrol(state.accounts[i]);
    }
  };
  await Promise.all(Array.from({ length: config.threadPoolSize }, worker));
  return enrolled;
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
