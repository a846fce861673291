import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registeredUser } from '../support/events.js';
import type { HttpResult } from '../support/http-client.js';
import { startStack, type Stack } from '../support/stack.js';
import {
  embeddedKeyToken,
  encryptedToken,
  expiredToken,
  forgeToken,
  hmacToken,
  otherAlgorithmToken,
  PUBLIC_KEY_FORMS,
  tamperedToken,
  unsignedToken,
  type ForgeOptions,
  type PublicKeyForm,
} from '../support/tokens.js';

type Account = Awaited<ReturnType<typeof registeredUser>>;
let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const MALFORMED = 'The token is malformed or its signature is invalid.';
/** The contract's maxLength of a refresh_token: a longer one is refused as a 422 before verification. */
const MAX_REFRESH_TOKEN = 4096;
const now = () => Math.floor(Date.now() / 1000);

interface Attack {
  attack: string;
  /** Turns one of the victim's real tokens into the attack token; `other` is another account. */
  forge: (realToken: string, other: Account) => string | Promise<string>;
  /** The problem detail both services give. */
  detail: string;
}

/** Signed with the auth service's own key, so the signature holds and only the change is wrong. */
const validlySigned = (changes: ForgeOptions) => (token: string) =>
  forgeToken(stack, token, changes);

const signatureAttacks: Omit<Attack, 'detail'>[] = [
  { attack: 'an unsigned token (alg none)', forge: unsignedToken },
  { attack: 'a token whose kid no key has', forge: validlySigned({ header: { kid: 'no-such' } }) },
  {
    attack: 'a token signed by another Ed25519 key under the real kid',
    forge: validlySigned({ foreignKey: true }),
  },
  { attack: 'a token signed by a key its own header offers (jwk, jku)', forge: embeddedKeyToken },
  ...(Object.keys(PUBLIC_KEY_FORMS) as PublicKeyForm[]).map((form) => ({
    attack: `an HS256 token keyed with the public key's ${form}`,
    forge: (token: string) => hmacToken(stack, token, form),
  })),
  ...(['ES256', 'RS256'] as const).map((alg) => ({
    attack: `an ${alg} token signed by a fresh key under the real kid`,
    forge: (token: string) => otherAlgorithmToken(stack, token, alg),
  })),
  {
    attack: 'a token whose sub was changed to another account, keeping its signature',
    forge: (token, other) => tamperedToken(token, { sub: String(other.id) }),
  },
  {
    attack: 'a token whose roles were raised to admin, keeping its signature',
    forge: (token) => tamperedToken(token, { role: 'admin', roles: ['admin'] }),
  },
  { attack: 'a JWE', forge: (token) => encryptedToken(stack, token) },
  { attack: 'garbage in three parts', forge: () => 'eyJhbGciOiJFZERTQSJ9.Z2FyYmFnZQ.Z2FyYmFnZQ' },
  {
    attack: 'a validly signed token whose crit names exp',
    forge: validlySigned({ header: { crit: ['exp'], exp: now() + 3600 } }),
  },
  {
    attack: 'a validly signed token whose crit names an unknown extension',
    forge: validlySigned({ header: { crit: ['urn:example:policy'], 'urn:example:policy': 1 } }),
  },
];

const claimAttacks: Attack[] = [
  ...['iss', 'aud', 'exp', 'iat', 'sub', 'jti', 'type', 'sid'].map((claim) => ({
    attack: `a validly signed token without ${claim}`,
    forge: validlySigned({ claims: { [claim]: undefined } }),
    detail: `The token has no ${claim} claim.`,
  })),
  ...(['iss', 'aud'] as const).map((claim) => ({
    attack: `a validly signed token with another ${claim}`,
    forge: validlySigned({ claims: { [claim]: 'https://elsewhere.example' } }),
    detail: `The token's ${claim} claim is not accepted.`,
  })),
  {
    attack: 'an expired token',
    forge: (token) => expiredToken(stack, token),
    detail: 'The token has expired.',
  },
  {
    attack: 'a validly signed token issued an hour from now',
    forge: validlySigned({ claims: { iat: now() + 3600, exp: now() + 7200 } }),
    detail: 'The token was issued in the future.',
  },
  {
    attack: 'a validly signed token whose sub is no account id',
    forge: validlySigned({ claims: { sub: 'admin' } }),
    detail: MALFORMED,
  },
  ...(
    [
      ['whose typ is at+jwt', { typ: 'at+jwt' }],
      ['without a typ header', { typ: undefined }],
    ] as const
  ).map(([what, header]) => ({
    attack: `a validly signed token ${what}`,
    forge: validlySigned({ header }),
    detail: 'The token header typ must be JWT.',
  })),
  {
    attack: 'a validly signed token with a 6 KB header',
    forge: validlySigned({ header: { pad: 'x'.repeat(6000) } }),
    detail: 'The token is too long.',
  },
];

const attacks: Attack[] = [
  ...signatureAttacks.map((attack) => ({ ...attack, detail: MALFORMED })),
  ...claimAttacks,
];

function expectRefused(res: HttpResult, detail: string) {
  expect({ status: res.status, detail: res.body?.detail }).toEqual({ status: 401, detail });
  expect(res.contentType).toMatch(/^application\/problem\+json/);
  expect(res.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token", /);
}

/**
 * The attack token (as an access token) on every protected operation, the admin one aimed at the
 * bystander, and as a refresh token.
 */
async function presentEverywhere(
  access: string,
  refresh: string,
  bystander: Account,
): Promise<HttpResult[]> {
  return [
    await stack.authApi.post('/logout', undefined, { token: access }),
    await stack.authApi.post(`/account-delete/${bystander.id}`, undefined, { token: access }),
    await stack.userApi.get('/profile', { token: access }),
    await stack.userApi.patch('/edit-bio', { bio: 'pwned' }, { token: access }),
    await stack.authApi.post('/refresh', { refresh_token: refresh }),
  ];
}

/** The victim's real pair still works, and the bystander is still active with its profile as it was. */
async function expectNothingChanged(victim: Account, bystander: Account) {
  const profile = await stack.userApi.get('/profile', { token: victim.access });
  expect({ status: profile.status, bio: profile.body.bio }).toEqual({ status: 200, bio: null });
  // A forged logout would have ended the session; a forged refresh would have spent this token.
  expect((await stack.authApi.post('/refresh', { refresh_token: victim.refresh })).status).toBe(
    200,
  );
  const { rows } = await stack.authDb.query('SELECT is_active FROM auth_info WHERE id = ?', [
    bystander.id,
  ]);
  expect(Boolean(rows[0]?.is_active)).toBe(true);
  expect((await stack.userApi.get('/profile', { token: bystander.access })).body.bio).toBeNull();
}

describe('JWT verification on both services', () => {
  it('When a real token is re-signed with the service’s key unchanged, then both services accept it (the control for every row below)', async () => {
    const victim = await registeredUser(stack);
    const access = await validlySigned({})(victim.access);
    expect((await stack.userApi.get('/profile', { token: access })).status).toBe(200);
    const refresh = await validlySigned({})(victim.refresh);
    expect((await stack.authApi.post('/refresh', { refresh_token: refresh })).status).toBe(200);
    expect((await stack.authApi.post('/logout', undefined, { token: access })).status).toBe(204);
  });

  it.each(attacks)(
    'When $attack is presented, then both services answer 401 invalid_token and nothing changes',
    async ({ forge, detail }) => {
      const [victim, bystander] = [await registeredUser(stack), await registeredUser(stack)];
      const access = await forge(victim.access, bystander);
      const refresh = await forge(victim.refresh, bystander);
      const [logout, adminOp, profile, editBio, refreshed] = await presentEverywhere(
        access,
        refresh,
        bystander,
      );
      for (const res of [logout!, adminOp!, profile!, editBio!]) expectRefused(res, detail);
      if (refresh.length > MAX_REFRESH_TOKEN) expect(refreshed!.status).toBe(422);
      else expectRefused(refreshed!, detail);
      await expectNothingChanged(victim, bystander);
    },
  );

  it('When a refresh token is the bearer and an access token is sent to /refresh, then each is refused and the pair still works', async () => {
    const [victim, bystander] = [await registeredUser(stack), await registeredUser(stack)];
    const [logout, adminOp, profile, editBio, refreshed] = await presentEverywhere(
      victim.refresh,
      victim.access,
      bystander,
    );
    for (const res of [logout!, adminOp!, profile!, editBio!]) {
      expectRefused(res, 'An access token is required.');
    }
    expectRefused(refreshed!, 'A refresh token is required.');
    await expectNothingChanged(victim, bystander);
  });
});
