import { createChallenge, solveChallenge } from 'altcha-lib/v1';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { challengeHmacKey } from '../src/throttle/challenges.js';
import { clientIps } from '../../../test/support/client-ips.js';
import { ContractChecker } from '../../../test/support/contract.js';
import { newRegistration } from '../../../test/support/factories.js';
import { startStack, type Stack } from '../../../test/support/stack.js';

// A challenge after 2 failures of a login or of an address; no lock gets in the way.
const LIMITS = {
  TRUST_PROXY_HOPS: '1',
  CHALLENGE_AFTER_FAILURES: '2',
  CHALLENGE_MAX_NUMBER: '2000',
  LOGIN_MAX_FAILURES_PER_ACCOUNT: '50',
  LOGIN_MAX_FAILURES_PER_ACCOUNT_IP: '50',
};
const WRONG = 'WrongPass123!';
const contract = new ContractChecker('auth.yaml');
let stack: Stack;

beforeAll(async () => {
  stack = await startStack(LIMITS);
});
afterAll(async () => {
  await stack?.stop();
});

const { newIp, from } = clientIps(9);

const login = async (body: Record<string, string>, ip = newIp()) => {
  const res = await stack.authApi.post('/login', body, from(ip));
  contract.check('login', res);
  return res;
};

const registerNew = async () => {
  const reg = newRegistration();
  expect((await stack.authApi.post('/register', reg, from(newIp()))).status).toBe(201);
  return reg;
};

interface Challenge {
  algorithm: string;
  challenge: string;
  maxnumber?: number;
  salt: string;
  signature: string;
}

/** What the ALTCHA widget submits once it has solved the challenge: base64 of the JSON payload. */
async function solve(challenge: Challenge, tamper: { number?: number } = {}): Promise<string> {
  const solution = await solveChallenge(
    challenge.challenge,
    challenge.salt,
    challenge.algorithm,
    challenge.maxnumber,
  ).promise;
  expect(solution).not.toBeNull();
  const { algorithm, salt, signature } = challenge;
  const payload = {
    algorithm,
    challenge: challenge.challenge,
    number: solution!.number,
    salt,
    signature,
  };
  return Buffer.from(JSON.stringify({ ...payload, ...tamper })).toString('base64');
}

const fetchChallenge = async (): Promise<Challenge> => {
  const res = await stack.authApi.get('/challenge');
  contract.check('getChallenge', res);
  expect(res.status).toBe(200);
  return res.body as Challenge;
};

/** A login that has failed twice (from two addresses), so its next attempt needs a challenge. */
const failTwice = async (loginName: string) => {
  for (let i = 0; i < 2; i++) {
    expect((await login({ login: loginName, password: WRONG })).status).toBe(401);
  }
};

const withoutRequestId = ({ request_id: _id, ...rest }: Record<string, unknown>) => rest;

describe('GET /challenge', () => {
  it('When a challenge is fetched, then it is a signed, expiring ALTCHA challenge that is never cached', async () => {
    const res = await stack.authApi.get('/challenge');
    contract.check('getChallenge', res);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toMatchObject({ algorithm: 'SHA-256', maxnumber: 2000 });
    const expires = Number(new URLSearchParams(res.body.salt.split('?')[1]).get('expires'));
    expect(expires * 1000).toBeGreaterThan(Date.now());
    expect(expires * 1000).toBeLessThanOrEqual(Date.now() + 300_000);
  });
});

describe('POST /login after failures', () => {
  it('When a known and an unknown login have failed twice, then both get the same 428 until a challenge is solved', async () => {
    const reg = await registerNew();
    const unknown = `nobody_${reg.login}`;
    await failTwice(reg.login);
    await failTwice(unknown);
    const known = await login({ login: reg.login, password: reg.password });
    const other = await login({ login: unknown, password: reg.password });
    expect([known.status, other.status]).toEqual([428, 428]);
    expect(known.body.type).toBe('urn:problem:challenge-required');
    expect(known.body.detail).toMatch(/GET \/challenge/);
    expect(withoutRequestId(known.body)).toEqual(withoutRequestId(other.body));

    const altcha = await solve(await fetchChallenge());
    const solved = await login({ login: reg.login, password: reg.password, altcha });
    expect(solved.status).toBe(200);
    // The success cleared the account's failures: no challenge is needed any more.
    expect((await login({ login: reg.login, password: reg.password })).status).toBe(200);

    const { rows } = await stack.authDb.query<{ reason: string; details: string }>(
      "SELECT reason, details FROM audit_log WHERE action = 'login' AND login = ? AND reason = 'challenge_required'",
      [reg.login],
    );
    expect(rows.map((r) => JSON.parse(r.details) as unknown)).toEqual([{ challenge: 'missing' }]);
  });

  it('When a solution is used twice, then the second use gets 428 even with the right password', async () => {
    const reg = await registerNew();
    await failTwice(reg.login);
    const altcha = await solve(await fetchChallenge());
    expect((await login({ login: reg.login, password: WRONG, altcha })).status).toBe(401);
    const replayed = await login({ login: reg.login, password: reg.password, altcha });
    expect(replayed.status).toBe(428);
    expect(replayed.body.detail).toMatch(/already used/);
  });

  it('When a solution is forged, foreign, expired or garbage, then it gets 428', async () => {
    const reg = await registerNew();
    await failTwice(reg.login);
    const challenge = await fetchChallenge();
    const good = await solve(challenge);
    const { number } = JSON.parse(Buffer.from(good, 'base64').toString()) as { number: number };
    const ownKey = challengeHmacKey(stack.signingKey.d!);
    const past = new Date(Date.now() - 1000);
    const refused = [
      await solve(challenge, { number: number + 1 }),
      await solve(await createChallenge({ hmacKey: 'not-the-key', maxNumber: 2000 })),
      await solve(await createChallenge({ hmacKey: ownKey, maxNumber: 2000, expires: past })),
      Buffer.from('{"algorithm":"SHA-256"}').toString('base64'),
      'not base64 at all',
    ];
    for (const altcha of refused) {
      const res = await login({ login: reg.login, password: reg.password, altcha });
      expect(res.status).toBe(428);
    }
    // The key the service uses is derived from its signing key: a challenge made with it passes.
    const fresh = await createChallenge({
      hmacKey: ownKey,
      maxNumber: 2000,
      expires: new Date(Date.now() + 60_000),
    });
    const own = await login({
      login: reg.login,
      password: reg.password,
      altcha: await solve(fresh),
    });
    expect(own.status).toBe(200);
  });

  it('When an address has failed twice, then its next login needs a challenge and another address does not', async () => {
    const reg = await registerNew();
    const ip = newIp();
    for (let i = 0; i < 2; i++) {
      expect(
        (await login({ login: `spray_${ip.replaceAll('.', '_')}_${i}`, password: WRONG }, ip))
          .status,
      ).toBe(401);
    }
    expect((await login({ login: reg.login, password: reg.password }, ip)).status).toBe(428);
    expect((await login({ login: reg.login, password: reg.password })).status).toBe(200);
  });
});
