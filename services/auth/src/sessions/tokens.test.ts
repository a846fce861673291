import { decodeJwt, decodeProtectedHeader, importJWK, jwtVerify, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { AppError } from '@platform/common';
import { generatePrivateJwk, loadKeyRing } from './signing-keys.js';
import { primaryRole, TokenService } from './tokens.js';

const settings = {
  issuer: 'auth-service',
  audience: 'auth-user-platform',
  accessTtlSeconds: 1800,
  refreshTtlSeconds: 604_800,
  sessionMaxLifetimeSeconds: 2_592_000,
};
const subject = {
  userId: 42,
  roles: ['user'],
  sessionId: 'session-1',
  emailVerified: false,
  proof: { amr: ['pwd', 'otp', 'mfa'], aal: 2 as const },
};

async function service(now: () => number = Date.now, overrides: Partial<typeof settings> = {}) {
  const ring = await loadKeyRing([await generatePrivateJwk('kid-1')]);
  return new TokenService(
    { ...settings, ...overrides },
    { kid: ring.signingKid, key: ring.signingKey },
    ring.verifyKey,
    now,
  );
}

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe('TokenService', () => {
  it('issues an EdDSA pair with the seed claims plus roles, sid, iss and aud', async () => {
    const pair = await (await service()).issuePair(subject);
    expect(decodeProtectedHeader(pair.access.token)).toMatchObject({
      alg: 'EdDSA',
      kid: 'kid-1',
      typ: 'JWT',
    });
    const claims = decodeJwt(pair.access.token);
    expect(claims).toMatchObject({
      sub: '42',
      type: 'access',
      role: 'user',
      roles: ['user'],
      sid: 'session-1',
      email_verified: false,
    });
    expect(claims.exp! - claims.iat!).toBe(1800);
    expect(decodeJwt(pair.refresh.token).exp! - decodeJwt(pair.refresh.token).iat!).toBe(604_800);
    expect(pair.access.jti).not.toBe(pair.refresh.jti);
  });

  it('When a pair is issued again from the same identity, then it is the same pair, token for token', async () => {
    const tokens = await service();
    const identity = tokens.newIdentity();
    const first = await tokens.issuePair(subject, identity);
    const again = await tokens.issuePair(subject, identity);
    expect(again).toEqual(first);
    expect(first.refresh.jti).toBe(identity.refreshJti);
    expect(decodeJwt(first.access.token).iat).toBe(Math.floor(identity.issuedAt.getTime() / 1000));
    const other = await tokens.issuePair(subject);
    expect(other.refresh.token).not.toBe(first.refresh.token);
  });

  it('signs each token as jose would: the same compact JWS, byte for byte, that jose verifies', async () => {
    const jwk = await generatePrivateJwk('kid-1');
    const ring = await loadKeyRing([jwk]);
    const tokens = new TokenService(
      settings,
      { kid: ring.signingKid, key: ring.signingKey },
      ring.verifyKey,
    );
    const identity = tokens.newIdentity();
    const pair = tokens.issuePair({ ...subject, roles: ['user', 'admin'] }, identity);
    const iat = Math.floor(identity.issuedAt.getTime() / 1000);
    const byJose = await new SignJWT({
      type: 'access',
      sid: subject.sessionId,
      role: 'admin',
      roles: ['user', 'admin'],
      email_verified: false,
      amr: ['pwd', 'otp', 'mfa'],
      aal: 2,
    })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'kid-1', typ: 'JWT' })
      .setSubject('42')
      .setJti(identity.accessJti)
      .setIssuedAt(iat)
      .setExpirationTime(iat + 1800)
      .setIssuer(settings.issuer)
      .setAudience(settings.audience)
      .sign(await importJWK(jwk, 'EdDSA'));
    expect(pair.access.token).toBe(byJose);
    const { payload } = await jwtVerify(pair.refresh.token, ring.verifyKey, {
      issuer: settings.issuer,
      audience: settings.audience,
    });
    expect(payload).toMatchObject({ type: 'refresh', jti: identity.refreshJti, sub: '42' });
  });

  it('When the address is proven, then the tokens say so in email_verified', async () => {
    const pair = await (await service()).issuePair({ ...subject, emailVerified: true });
    expect(decodeJwt(pair.access.token).email_verified).toBe(true);
    expect(decodeJwt(pair.refresh.token).email_verified).toBe(true);
  });

  it('verifies its own tokens of the expected type', async () => {
    const tokens = await service();
    const pair = await tokens.issuePair(subject);
    await expect(tokens.verify(pair.access.token, 'access')).resolves.toMatchObject({
      sub: '42',
      jti: pair.access.jti,
    });
    await expect(tokens.verify(pair.refresh.token, 'refresh')).resolves.toMatchObject({
      type: 'refresh',
    });
  });

  it('refuses a token of the other type', async () => {
    const tokens = await service();
    const pair = await tokens.issuePair(subject);
    expect((await rejection(tokens.verify(pair.refresh.token, 'access'))).detail).toBe(
      'An access token is required.',
    );
    expect((await rejection(tokens.verify(pair.access.token, 'refresh'))).detail).toBe(
      'A refresh token is required.',
    );
  });

  it('refuses an expired token with its own problem code', async () => {
    let now = Date.now();
    const tokens = await service(() => now);
    const pair = await tokens.issuePair(subject);
    now += 1801_000;
    expect((await rejection(tokens.verify(pair.access.token, 'access'))).code).toBe(
      'token-expired',
    );
  });

  it('refuses tokens of another issuer or audience', async () => {
    const tokens = await service();
    const ring = await loadKeyRing([await generatePrivateJwk('kid-1')]);
    for (const other of [{ issuer: 'someone-else' }, { audience: 'another-app' }]) {
      const foreign = new TokenService(
        { ...settings, ...other },
        { kid: 'kid-1', key: ring.signingKey },
        ring.verifyKey,
      );
      const pair = await foreign.issuePair(subject);
      expect((await rejection(tokens.verify(pair.access.token, 'access'))).status).toBe(401);
    }
  });

  it("carries how the session's login was proven: amr and aal", async () => {
    const tokens = await service();
    const pair = await tokens.issuePair(subject);
    for (const token of [pair.access.token, pair.refresh.token]) {
      expect(decodeJwt(token)).toMatchObject({ amr: ['pwd', 'otp', 'mfa'], aal: 2 });
    }
  });

  it('refuses garbage and tampered tokens', async () => {
    const tokens = await service();
    const pair = await tokens.issuePair(subject);
    const [header, , signature] = pair.access.token.split('.');
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...decodeJwt(pair.access.token), sub: '1' })).toString('base64url')}.${signature}`;
    for (const token of ['garbage', tampered]) {
      expect((await rejection(tokens.verify(token, 'access'))).code).toBe('invalid-token');
    }
  });

  it('verifies with every configured key while the first signs (rotation)', async () => {
    const [oldKey, newKey] = [await generatePrivateJwk('old'), await generatePrivateJwk('new')];
    const before = await loadKeyRing([oldKey]);
    const after = await loadKeyRing([newKey, oldKey]);
    expect(after.signingKid).toBe('new');
    expect(after.jwks.keys.map((k) => k.kid)).toEqual(['new', 'old']);
    expect(after.jwks.keys.every((k) => !('d' in k))).toBe(true);
    const oldTokens = new TokenService(
      settings,
      { kid: 'old', key: before.signingKey },
      before.verifyKey,
    );
    const newTokens = new TokenService(
      settings,
      { kid: 'new', key: after.signingKey },
      after.verifyKey,
    );
    const pair = await oldTokens.issuePair(subject);
    await expect(newTokens.verify(pair.access.token, 'access')).resolves.toMatchObject({
      sub: '42',
    });
  });
});

describe('primaryRole', () => {
  it('is admin when held, else the first role, else user', () => {
    expect(primaryRole(['user', 'admin'])).toBe('admin');
    expect(primaryRole(['user'])).toBe('user');
    expect(primaryRole([])).toBe('user');
  });
});
