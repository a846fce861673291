import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newRegistration } from '../support/factories.js';
import { client } from '../support/http-client.js';
import { startFaultStack, waitFor, type FaultStack } from './fault-stack.js';

// Rotation state, reuse detection and revocations live in Postgres: restarting the auth service (or
// running several) changes none of them.

let stack: FaultStack;

beforeAll(async () => {
  stack = await startFaultStack();
});
afterAll(async () => {
  await stack?.stop();
});

describe('the auth service restarted mid-session', () => {
  it('When it is killed and started again, then a rotated refresh token is still detected as reused and ends the session in both services', async () => {
    const auth = client(stack.auth!.url);
    const user = client(stack.user.url);
    const registered = await auth.post('/register', newRegistration());
    expect(registered.status).toBe(201);
    const first = registered.body.token_pair;
    const rotated = await auth.post('/refresh', { refresh_token: first.refresh_token.token });
    expect(rotated.status).toBe(200);
    const current = rotated.body;
    await waitFor(
      'the profile to appear',
      async () =>
        (await user.get('/profile', { token: current.access_token.token })).status === 200,
    );

    expect(await stack.auth!.kill('SIGKILL')).toBe('SIGKILL');
    await stack.auth!.restart();

    const replay = await auth.post('/refresh', { refresh_token: first.refresh_token.token });
    expect(replay.status).toBe(401);
    expect(replay.body.detail).toBe(
      'The refresh token has already been used; the session has been ended.',
    );
    expect(
      (await auth.post('/refresh', { refresh_token: current.refresh_token.token })).status,
    ).toBe(401);
    await waitFor(
      'the user service to refuse the revoked session',
      async () =>
        (await user.get('/profile', { token: current.access_token.token })).status === 401,
    );
    const { rows } = await stack.authDb.query(
      "SELECT count(*)::int AS n FROM audit_log WHERE action = 'refresh_token_reuse'",
    );
    expect(rows[0].n).toBe(1);
  });
});
