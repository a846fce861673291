import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, InProcessBus } from '@platform/common';
import { loadAuthConfig, startAuthService, type AuthService } from '@platform/auth';
import {
  passkeyAssertionOptions,
  verifyPasskeyAssertion,
} from '../src/passkeys/passkey-assertion.js';
import { newRegistration } from '../../../test/support/factories.js';
import { client, type Client } from '../../../test/support/http-client.js';
import { createDatabase } from '../../../test/support/infra.js';
import { addPasskey, assertion, newAuthenticator } from '../../../test/support/passkeys.js';
import { STACK_MODE, TEST_ENV } from '../../../test/support/stack.js';

// verifyPasskeyAssertion as a second factor after the password (the use a login with a second
// factor makes of it), on the auth service's own deps: SQLite, or Postgres in the infra project.
let workDir: string;
let dropDatabase: () => Promise<void> = async () => undefined;
let service: AuthService;
let api: Client;
const logger = createLogger({ service: 'test', level: 'silent' });
// No user service here: its events are taken and dropped.
const bus = new InProcessBus({ logger, retryDelayMs: 5, maxAttempts: 1 });

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'auth-second-factor-'));
  let databaseUrl = `sqlite:${path.join(workDir, 'auth.db')}`;
  if (STACK_MODE === 'infra') {
    const database = await createDatabase('auth_second_factor');
    databaseUrl = database.url;
    dropDatabase = database.drop;
  }
  await bus.subscribe({ name: 'dropped', handle: async () => undefined });
  service = await startAuthService(
    loadAuthConfig({ ...TEST_ENV, DATA_DIR: workDir, DATABASE_URL: databaseUrl }),
    { logger, bus },
  );
  api = client(service.url);
});
afterAll(async () => {
  await service?.stop();
  await bus.close();
  await dropDatabase();
  await rm(workDir, { recursive: true, force: true });
});

async function accountWithPasskey() {
  const registration = newRegistration();
  const res = await api.post('/register', registration);
  expect(res.status).toBe(201);
  const account = {
    userId: res.body.user.id as number,
    token: res.body.token_pair.access_token.token as string,
    password: registration.password,
  };
  const authenticator = newAuthenticator();
  const passkey = await addPasskey(api, account, authenticator);
  return { ...account, authenticator, passkey };
}

describe('verifyPasskeyAssertion as a second factor', () => {
  it("When the account's passkey answers its challenge, then it passes, user verification not needed", async () => {
    const { userId, authenticator, passkey } = await accountWithPasskey();
    const started = await passkeyAssertionOptions(service.deps, { userId });
    expect(started.options.userVerification).toBe('preferred');
    expect(started.options.allowCredentials?.map((c) => c.id)).toEqual([
      authenticator.credentials[0]!.id,
    ]);
    const response = authenticator.get(started.options, { userVerified: false, userHandle: null });
    const result = await verifyPasskeyAssertion(service.deps, {
      userId,
      response,
      challengeId: started.challengeId,
    });
    expect(result).toEqual({
      ok: true,
      value: {
        userId,
        passkeyId: passkey.id,
        credentialId: authenticator.credentials[0]!.id,
        userVerified: false,
        backedUp: false,
        deviceType: 'singleDevice',
      },
    });
    const again = await verifyPasskeyAssertion(service.deps, {
      userId,
      response,
      challengeId: started.challengeId,
    });
    expect(again.ok).toBe(false);
  });

  it("When another account's passkey answers, or the challenge is another account's, then it is refused", async () => {
    const victim = await accountWithPasskey();
    const intruder = await accountWithPasskey();
    const forVictim = await passkeyAssertionOptions(service.deps, { userId: victim.userId });
    const foreign = await verifyPasskeyAssertion(service.deps, {
      userId: victim.userId,
      response: intruder.authenticator.get({ ...forVictim.options, allowCredentials: [] }),
      challengeId: forVictim.challengeId,
    });
    expect(foreign).toEqual({ ok: false, reason: 'credential of another account' });

    const forIntruder = await passkeyAssertionOptions(service.deps, { userId: intruder.userId });
    const borrowed = await verifyPasskeyAssertion(service.deps, {
      userId: victim.userId,
      response: victim.authenticator.get({ ...forIntruder.options, allowCredentials: [] }),
      challengeId: forIntruder.challengeId,
    });
    expect(borrowed.ok).toBe(false);
  });

  it('When a challenge of one ceremony answers the other, then it is refused both ways', async () => {
    const { userId, authenticator } = await accountWithPasskey();
    const secondFactor = await passkeyAssertionOptions(service.deps, { userId });
    const asLogin = await api.post('/login/passkey', {
      challenge_id: secondFactor.challengeId,
      response: authenticator.get({ ...secondFactor.options, allowCredentials: [] }),
    });
    expect(asLogin.status).toBe(401);

    const login = await assertion(api, authenticator);
    const asSecondFactor = await verifyPasskeyAssertion(service.deps, {
      userId,
      response: login.response,
      challengeId: login.challenge_id,
    });
    expect(asSecondFactor.ok).toBe(false);
  });
});
