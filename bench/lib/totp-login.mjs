// The two-step login with an authenticator app, on accounts of its own: each registered and enrolled
// through the API (POST /mfa/totp with the password, POST /mfa/totp/confirm with a code), then as load
// POST /login (401 mfa-required with an mfa_token) → POST /login/mfa with a TOTP code → 200, bounded
// by argon2id verify (the login's one hash). The service accepts the codes of the step before, at and
// after now, each once and none older than the last one accepted (compare-and-swap on the account's
// last step): so an account is in one login at a time, and each login presents the lowest step above
// the account's last that is still accepted when it arrives. That is two or three codes per account
// at first, then one per 30-s step; the accounts are as many as the run's logins need at the argon2
// rate, two codes each, with a quarter to spare. A login that has to wait for a step is counted.
import { PASSWORD, seedAccountsWith } from './accounts.mjs';
import { measureLogins } from './flow-load.mjs';
import { expectStatus, request, sleep } from './http.mjs';
import { round } from './stats.mjs';
import { STEP_SECONDS, totpCode, usableStep } from './totp.mjs';

const STEP_MS = STEP_SECONDS * 1000;
const MIN_ACCOUNTS = 50;
const MAX_ACCOUNTS = 1000;

export async function measureTotpLogin(run) {
  const { config, life, log, results, stack } = run;
  const { settings } = config;
  const verifyRate = results.baselines.find((b) => b.key === 'argon2-verify')?.rps ?? 0;
  const logins = verifyRate * (settings.warmupSeconds + settings.seconds) * 1.25;
  const count = Math.min(MAX_ACCOUNTS, Math.max(MIN_ACCOUNTS, Math.ceil(logins / 2)));
  log(`TOTP login: seeding ${count} accounts with an authenticator app`);
  const seededAt = performance.now();
  const accounts = await seedTotpAccounts(run, count);
  const seedSeconds = round((performance.now() - seededAt) / 1000, 1);
  life.checkAborted();

  const idle = [...accounts];
  let waits = 0;
  /** An idle account with a step left to present, waiting for the next step when there is none. */
  const take = async () => {
    for (;;) {
      const now = Date.now();
      const i = idle.findIndex((a) => usableStep(a.lastStep, now) !== undefined);
      if (i >= 0) return idle.splice(i, 1)[0];
      life.checkAborted();
      waits++;
      await sleep(STEP_MS - (now % STEP_MS) + 50);
    }
  };
  const login = async (_user, agent) => {
    const account = await take();
    try {
      const first = await request(`${stack.authUrl}/login`, {
        method: 'POST',
        body: { login: account.login, password: PASSWORD },
        agent,
      });
      if (first.status !== 401 || first.body?.type !== 'urn:problem:mfa-required') {
        const problem = `POST /login: expected 401 mfa-required, got ${first.status} ${first.body?.type ?? ''}`;
        return { ok: false, status: first.status, at: first.at, problem };
      }
      // Taken with a step left, the account still has one: the window only moves up.
      account.lastStep = usableStep(account.lastStep, Date.now());
      const code = totpCode(account.secret, account.lastStep);
      const done = await request(`${stack.authUrl}/login/mfa`, {
        method: 'POST',
        body: { mfa_token: first.body.mfa_token, method: 'totp', code },
        agent,
      });
      const ok = done.status === 200 && done.body?.token_pair !== undefined;
      const problem = ok ? undefined : `POST /login/mfa: ${done.status} ${done.body?.type ?? ''}`;
      return { ok, status: done.status, at: done.at, problem };
    } finally {
      idle.push(account);
    }
  };
  const r = await measureLogins(run, {
    name: 'TOTP login (POST /login → POST /login/mfa)',
    connections: settings.argon2Connections,
    bound: 'argon2-verify',
    login,
  });
  return { ...r, accounts: count, seedSeconds, waitsForStep: waits };
}

/** Registers `count` accounts and enrols an authenticator app for each (`threadPoolSize` at a time). */
function seedTotpAccounts(run, count) {
  const { authUrl } = run.stack;
  return seedAccountsWith(run, count, async ({ login, access }) => {
    const started = await request(`${authUrl}/mfa/totp`, {
      method: 'POST',
      token: access,
      body: { password: PASSWORD },
    });
    const { secret } = expectStatus(started, 201, 'seeding: POST /mfa/totp');
    const step = usableStep(-Infinity, Date.now());
    const confirmed = await request(`${authUrl}/mfa/totp/confirm`, {
      method: 'POST',
      token: access,
      body: { code: totpCode(secret, step) },
    });
    expectStatus(confirmed, 200, 'seeding: POST /mfa/totp/confirm');
    return { login, secret, lastStep: step };
  });
}
