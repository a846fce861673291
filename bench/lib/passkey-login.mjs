// The passwordless login with a passkey, on accounts of its own: each registered, with a passkey of
// the tests' software authenticator (test/support/software-authenticator.js: P-256 from node:crypto,
// attestation none) registered through the API after the password (POST /passkeys/registration/options,
// then POST /passkeys/registration). Then as load: POST /login/passkey/options → the assertion the
// authenticator signs → POST /login/passkey → 200 with a session, bounded by the Koa + jose baseline
// (a signature check per request). Each virtual user logs in with a credential of its own, one login
// after another, so that every credential's sign count goes up from one assertion to the next.
import { SoftwareAuthenticator } from '../../test/support/software-authenticator.js';
import { PASSWORD, seedAccountsWith } from './accounts.mjs';
import { RELYING_PARTY } from './config.mjs';
import { measureLogins } from './flow-load.mjs';
import { expectStatus, request } from './http.mjs';
import { round } from './stats.mjs';

export async function measurePasskeyLogin(run) {
  const { config, life, log, stack } = run;
  const { connections } = config.settings;
  log(`passkey login: seeding ${connections} accounts with a passkey each`);
  const seededAt = performance.now();
  const authenticator = new SoftwareAuthenticator({ origin: RELYING_PARTY.origin });
  const credentials = await seedPasskeyAccounts(run, authenticator, connections);
  const seedSeconds = round((performance.now() - seededAt) / 1000, 1);
  life.checkAborted();
  const login = async (user, agent) => {
    const started = await request(`${stack.authUrl}/login/passkey/options`, {
      method: 'POST',
      agent,
    });
    if (started.status !== 200) {
      const problem = `POST /login/passkey/options: ${started.status} ${started.body?.type ?? ''}`;
      return { ok: false, status: started.status, at: started.at, problem };
    }
    const { challenge_id: challengeId, options } = started.body;
    const response = authenticator.get(options, { credentialId: credentials[user] });
    const done = await request(`${stack.authUrl}/login/passkey`, {
      method: 'POST',
      body: { challenge_id: challengeId, response },
      agent,
    });
    const ok = done.status === 200 && done.body?.token_pair !== undefined;
    const problem = ok ? undefined : `POST /login/passkey: ${done.status} ${done.body?.type ?? ''}`;
    return { ok, status: done.status, at: done.at, problem };
  };
  const r = await measureLogins(run, {
    name: 'passkey login (options → POST /login/passkey)',
    connections,
    bound: 'jose',
    login,
  });
  return { ...r, accounts: credentials.length, seedSeconds };
}

/** `count` new accounts, each with a passkey of `authenticator`; the credential ids in order. */
function seedPasskeyAccounts(run, authenticator, count) {
  const { authUrl } = run.stack;
  return seedAccountsWith(run, count, async ({ access }) => {
    const started = await request(`${authUrl}/passkeys/registration/options`, {
      method: 'POST',
      token: access,
      body: { password: PASSWORD },
    });
    const { challenge_id: challengeId, options } = expectStatus(
      started,
      200,
      'seeding: POST /passkeys/registration/options',
    );
    const response = authenticator.create(options);
    const registered = await request(`${authUrl}/passkeys/registration`, {
      method: 'POST',
      token: access,
      body: { challenge_id: challengeId, response },
    });
    expectStatus(registered, 201, 'seeding: POST /passkeys/registration');
    return response.id;
  });
}
