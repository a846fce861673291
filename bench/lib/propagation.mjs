// Propagation, one sample at a time, by polling GET /profile on the user service back to back (so a
// sample is at least one poll's round trip): register answered → the profile readable; then for half
// of those new accounts logout answered → 401 for the same access token (the Sessions Revoked event),
// and for the other half account-delete answered → 403 (Account Deactivated, and the sessions it
// ended).
import { expectStatus, request } from './http.mjs';
import { latencySummary, round } from './stats.mjs';

const TIMEOUT_MS = 10_000;

/** What the auth service answers to `path` for a token, then GET /profile for the same token. */
const REFUSALS = [
  {
    key: 'logout',
    name: 'revocation propagation',
    title: 'revocation (logout) propagation',
    path: '/logout',
    status: 204,
    refused: 401,
  },
  {
    key: 'deactivation',
    name: 'deactivation propagation',
    title: 'deactivation propagation',
    path: '/account-delete',
    status: 200,
    refused: 403,
  },
];

/**
 * The figures of each kind of propagation by key. The new accounts of the register samples are shared
 * out between the refusals, so there are as many register samples as all of theirs together. Failed
 * samples are errors of the run.
 */
export async function measurePropagation({ config, life, log, results, state }) {
  const count = config.settings.samples * REFUSALS.length;
  log(`event propagation: ${count} samples, one at a time`);
  const accounts = [];
  const register = await sample(Array.from({ length: count }), life.signal, async () => {
    const res = await request(`${state.authUrl}/register`, {
      method: 'POST',
      body: state.newAccountBody(),
    });
    const access = expectStatus(res, 201, 'POST /register').token_pair.access_token.token;
    const seen = await pollUntilStatus(state.userUrl, access, 200, res.at);
    accounts.push(access);
    return seen;
  });
  life.checkAborted();
  const propagation = { register };
  const failed = [['event propagation', register]];
  const share = Math.ceil(accounts.length / REFUSALS.length);
  for (const [i, refusal] of REFUSALS.entries()) {
    const tokens = accounts.slice(i * share, (i + 1) * share);
    log(`${refusal.title}: ${tokens.length} samples, one at a time`);
    propagation[refusal.key] = await sample(tokens, life.signal, async (access) => {
      const res = await request(`${state.authUrl}${refusal.path}`, {
        method: 'POST',
        token: access,
      });
      expectStatus(res, refusal.status, `POST ${refusal.path}`);
      return pollUntilStatus(state.userUrl, access, refusal.refused, res.at);
    });
    life.checkAborted();
    failed.push([refusal.name, propagation[refusal.key]]);
  }
  for (const [name, r] of failed) {
    if (r.failures.length > 0) {
      results.failures.push(
        `${name}: ${r.failures.length} samples failed (first: ${r.failures[0]})`,
      );
    }
  }
  return propagation;
}

/** Runs `probe` for each item in turn; more than ten failures end the series. */
async function sample(items, signal, probe) {
  const latencies = [];
  const failures = [];
  let polls = 0;
  let firstPoll = 0;
  for (const item of items) {
    if (signal.aborted) break;
    try {
      const { latency, tries } = await probe(item);
      latencies.push(latency);
      polls += tries;
      if (tries === 1) firstPoll++;
    } catch (err) {
      failures.push(err.message);
      if (failures.length > 10) break;
    }
  }
  const n = latencies.length;
  return {
    samples: n,
    ...latencySummary(latencies),
    meanPolls: round(n ? polls / n : null, 2),
    visibleAtFirstPoll: round(n ? firstPoll / n : null, 3),
    failures,
  };
}

async function pollUntilStatus(userUrl, token, status, since) {
  let tries = 0;
  for (;;) {
    tries++;
    const res = await request(`${userUrl}/profile`, { token });
    if (res.status === status) return { latency: res.at - since, tries };
    if (res.at - since > TIMEOUT_MS) {
      throw new Error(
        `GET /profile did not answer ${status} within ${TIMEOUT_MS} ms (last: ${res.status})`,
      );
    }
  }
}
