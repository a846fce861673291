import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContractChecker } from '../../../test/support/contract.js';
import { newRegistration } from '../../../test/support/factories.js';
import { startStack, type Stack } from '../../../test/support/stack.js';

// GET /sessions and DELETE /sessions/{session_id}: a user sees the sessions of their account and
// ends one, in both services; another account's session is as unknown as one that never was.

const contract = new ContractChecker('auth.yaml');
const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
let stack: Stack;

beforeAll(async () => {
  // The client address comes from X-Forwarded-For, so each sign-in can come from its own.
  stack = await startStack({ TRUST_PROXY_HOPS: '1' });
});
afterAll(async () => {
  await stack?.stop();
});

interface Pair {
  access: string;
  refresh: string;
  sid: string;
}
const pairOf = (tokens: {
  access_token: { token: string };
  refresh_token: { token: string };
}): Pair => ({
  access: tokens.access_token.token,
  refresh: tokens.refresh_token.token,
  sid: (
    JSON.parse(Buffer.from(tokens.access_token.token.split('.')[1]!, 'base64url').toString()) as {
      sid: string;
    }
  ).sid,
});

/** An account signed in twice: on a phone (registration) and on a desktop (login). */
async function signedInTwice() {
  const registration = newRegistration();
  const phone = await stack.authApi.post('/register', registration, {
    headers: { 'user-agent': IPHONE, 'x-forwarded-for': '203.0.113.7' },
  });
  expect(phone.status).toBe(201);
  const desktop = await stack.authApi.post(
    '/login',
    { login: registration.login, password: registration.password },
    { headers: { 'user-agent': FIREFOX, 'x-forwarded-for': '198.51.100.23' } },
  );
  contract.check('login', desktop);
  await stack.settle();
  return {
    id: phone.body.user.id as number,
    phone: pairOf(phone.body.token_pair),
    desktop: pairOf(desktop.body.token_pair),
  };
}

const list = async (token: string) => {
  const res = await stack.authApi.get('/sessions', { token });
  contract.check('listSessions', res);
  return res;
};
const end = async (token: string, sessionId: string) => {
  const res = await stack.authApi.send('DELETE', `/sessions/${sessionId}`, undefined, { token });
  contract.check('endSession', res);
  return res;
};
const refresh = (token: string) => stack.authApi.post('/refresh', { refresh_token: token });

describe('GET /sessions', () => {
  it('When an account is signed in on two devices, then both are listed with their client, and the caller’s is current', async () => {
    const account = await signedInTwice();
    const res = await list(account.desktop.access);
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(2);
    const [desktop, phone] = res.body.sessions;
    expect(desktop).toMatchObject({
      id: account.desktop.sid,
      ip: '198.51.100.23',
      user_agent: FIREFOX,
      browser: { name: 'Firefox', version: '128.0' },
      os: { name: 'Linux', version: null },
      device: { type: null, vendor: null, model: null },
      last_refreshed_at: null,
      current: true,
    });
    expect(phone).toMatchObject({
      id: account.phone.sid,
      ip: '203.0.113.7',
      browser: { name: 'Mobile Safari', version: '17.5' },
      os: { name: 'iOS', version: '17.5' },
      device: { type: 'mobile', vendor: 'Apple', model: 'iPhone' },
      current: false,
    });
    expect(Date.parse(desktop.created_at)).toBeGreaterThanOrEqual(Date.parse(phone.created_at));
    // NEW_SIGN_IN_NOTICE is off by default: a second device mails nothing.
    const { rows } = await stack.authDb.query<{ n: unknown }>(
      "SELECT COUNT(*) AS n FROM mail_queue WHERE template = 'new_sign_in'",
    );
    expect(Number(rows[0]!.n)).toBe(0);
    // Nothing of a token is shown: the ids are the sessions', never a jti or a token.
    const text = JSON.stringify(res.body);
    for (const token of [account.desktop, account.phone].flatMap((p) => [p.access, p.refresh])) {
      const { jti } = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as {
        jti: string;
      };
      expect(text).not.toContain(jti);
      expect(text).not.toContain(token.split('.')[2]);
    }
  });

  it('When a session is refreshed, then its last refresh and its address are the refresh’s', async () => {
    const account = await signedInTwice();
    const before = Date.now();
    const rotated = await stack.authApi.post(
      '/refresh',
      { refresh_token: account.phone.refresh },
      { headers: { 'x-forwarded-for': '192.0.2.99' } },
    );
    expect(rotated.status).toBe(200);
    const res = await list(account.desktop.access);
    const phone = res.body.sessions.find((s: { id: string }) => s.id === account.phone.sid);
    expect(phone.ip).toBe('192.0.2.99');
    expect(Date.parse(phone.last_refreshed_at)).toBeGreaterThanOrEqual(before - 1000);
    expect(phone.user_agent).toBe(IPHONE);
  });

  it('When sessions end, then they are no longer listed', async () => {
    const account = await signedInTwice();
    const logout = await stack.authApi.post('/logout', undefined, { token: account.phone.access });
    expect(logout.status).toBe(204);
    const res = await list(account.desktop.access);
    expect(res.body.sessions.map((s: { id: string }) => s.id)).toEqual([account.desktop.sid]);
    expect(res.body.total).toBe(1);
  });

  it('When no token is sent, then it gets 401', async () => {
    const res = await stack.authApi.get('/sessions');
    contract.check('listSessions', res);
    expect(res.status).toBe(401);
  });
});

describe('DELETE /sessions/{session_id}', () => {
  it('When a user ends their other session, then its tokens are refused by both services and theirs still work', async () => {
    const account = await signedInTwice();
    expect((await stack.userApi.get('/profile', { token: account.phone.access })).status).toBe(200);
    const res = await end(account.desktop.access, account.phone.sid);
    expect(res.status).toBe(204);
    await stack.settle();

    expect((await list(account.phone.access)).status).toBe(401);
    expect((await stack.userApi.get('/profile', { token: account.phone.access })).status).toBe(401);
    const stale = await refresh(account.phone.refresh);
    expect(stale.status).toBe(401);
    expect(stale.body.detail).toBe('The session has ended.');

    expect((await stack.userApi.get('/profile', { token: account.desktop.access })).status).toBe(
      200,
    );
    const listed = await list(account.desktop.access);
    expect(listed.body.sessions.map((s: { id: string }) => s.id)).toEqual([account.desktop.sid]);
    const { rows } = await stack.authDb.query<{ reason: string; details: string }>(
      "SELECT reason, details FROM audit_log WHERE user_id = ? AND action = 'sessions_revoked'",
      [account.id],
    );
    expect(rows.map((r) => r.reason)).toEqual(['logout_session']);
    expect(JSON.parse(rows[0]!.details)).toEqual({
      session_id: account.phone.sid,
      sessions_ended: 1,
    });
    // Ended once: a second time it is no live session.
    expect((await end(account.desktop.access, account.phone.sid)).status).toBe(404);
  });

  it('When a user ends another account’s session, then the answer is the 404 of an unknown id and that session lives on', async () => {
    const victim = await signedInTwice();
    const other = await signedInTwice();
    const foreign = await end(other.desktop.access, victim.phone.sid);
    const unknown = await end(other.desktop.access, randomUUID());
    expect(foreign.status).toBe(404);
    const { request_id: _a, ...foreignBody } = foreign.body;
    const { request_id: _b, ...unknownBody } = unknown.body;
    expect(foreignBody).toEqual(unknownBody);
    expect(foreign.contentType).toBe(unknown.contentType);

    await stack.settle();
    expect((await stack.userApi.get('/profile', { token: victim.phone.access })).status).toBe(200);
    expect((await list(victim.phone.access)).body.total).toBe(2);
    expect((await refresh(victim.phone.refresh)).status).toBe(200);
  });

  it('When a user ends the session of the calling token, then that token is refused next', async () => {
    const account = await signedInTwice();
    expect((await end(account.desktop.access, account.desktop.sid)).status).toBe(204);
    expect((await list(account.desktop.access)).status).toBe(401);
    expect((await list(account.phone.access)).status).toBe(200);
  });

  it('When the id is not a lower-case UUID, then it gets 422 naming session_id, and no session ends', async () => {
    const account = await signedInTwice();
    for (const spelling of [
      account.phone.sid.toUpperCase(),
      account.phone.sid.replaceAll('-', ''),
      `{${account.phone.sid}}`,
      'current',
      '1',
    ]) {
      const res = await end(account.desktop.access, encodeURIComponent(spelling));
      expect(res.status, spelling).toBe(422);
      expect(res.body.errors[0].field, spelling).toBe('session_id');
    }
    expect((await list(account.phone.access)).body.total).toBe(2);
  });

  it('When no token is sent, then it gets 401 and no session ends', async () => {
    const account = await signedInTwice();
    const res = await stack.authApi.send('DELETE', `/sessions/${account.phone.sid}`);
    contract.check('endSession', res);
    expect(res.status).toBe(401);
    expect((await list(account.phone.access)).status).toBe(200);
  });
});
