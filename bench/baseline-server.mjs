// A baseline server, run as a process of its own by bench/run.mjs (same Node, one process):
//   node bench/baseline-server.mjs koa   GET /ping   a bare Koa route answering a small JSON body;
//   node bench/baseline-server.mjs jose  GET /verify the same route, after checking an EdDSA access token
//                                        with jose (createLocalJWKSet + jwtVerify), as the user service
//                                        does before it reads a profile.
// It prints one JSON line on stdout, {"port": ..., "tokens": [...]}, and runs until SIGTERM/SIGINT.
import { randomUUID } from 'node:crypto';
import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import Koa from 'koa';

const mode = process.argv[2];
if (mode !== 'koa' && mode !== 'jose') {
  console.error('usage: node bench/baseline-server.mjs koa|jose');
  process.exit(2);
}
const ISSUER = 'auth-service';
const AUDIENCE = 'auth-user-platform';
const TOKENS = 100;

const app = new Koa();
let tokens = [];
if (mode === 'koa') {
  app.use((ctx) => {
    if (ctx.path !== '/ping') return;
    ctx.body = { ok: true };
  });
} else {
  const kid = randomUUID();
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const jwks = createLocalJWKSet({
    keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' }],
  });
  // Claims shaped like the auth service's access tokens.
  tokens = await Promise.all(
    Array.from({ length: TOKENS }, (_, i) =>
      new SignJWT({ type: 'access', sid: randomUUID(), role: 'user', roles: ['user'] })
        .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'JWT' })
        .setSubject(String(i + 1))
        .setJti(randomUUID())
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime('30m')
        .sign(privateKey),
    ),
  );
  app.use(async (ctx) => {
    if (ctx.path !== '/verify') return;
    const match = /^Bearer +(\S+)$/i.exec(ctx.get('authorization'));
    try {
      if (!match) throw new Error('no token');
      const { payload } = await jwtVerify(match[1], jwks, {
        algorithms: ['EdDSA'],
        issuer: ISSUER,
        audience: AUDIENCE,
        requiredClaims: ['sub', 'jti', 'exp', 'iat'],
      });
      if (payload.type !== 'access') throw new Error('not an access token');
      ctx.body = { sub: payload.sub };
    } catch {
      ctx.status = 401;
      ctx.body = { status: 401 };
    }
  });
}

const server = app.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ port: server.address().port, tokens }));
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
