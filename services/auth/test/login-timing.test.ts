import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newRegistration } from '../../../test/support/factories.js';
import type { HttpResult } from '../../../test/support/http-client.js';
import { startStack, type Stack } from '../../../test/support/stack.js';

// Production argon2 parameters, so the password check costs what it costs in production; limits high
// enough that no attempt here is locked or challenged (one account fails about 70 times).
const SAMPLES = 60;
const WARM_UP = 6;
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ ARGON2_MEMORY_KIB: '19456', ARGON2_TIME_COST: '2' });
});
afterAll(async () => {
  await stack?.stop();
});

const withoutRequestId = ({ request_id: _id, ...rest }: Record<string, unknown>) => rest;

async function timed(body: { login: string; password: string }) {
  const started = performance.now();
  const res = await stack.authApi.post('/login', body);
  return { res, ms: performance.now() - started };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const answer = (res: HttpResult) => ({
  status: res.status,
  contentType: res.contentType,
  body: withoutRequestId(res.body as Record<string, unknown>),
});

describe('POST /login without enumeration', () => {
  it('When unknown logins and wrong passwords alternate, then answers are identical and median times within 10 %', async () => {
    const reg = newRegistration();
    const { status, body } = await stack.authApi.post('/register', reg);
    expect(status).toBe(201);
    const deactivated = newRegistration();
    const signedUp = await stack.authApi.post('/register', deactivated);
    const token = signedUp.body.token_pair.access_token.token as string;
    expect((await stack.authApi.post('/account-delete', undefined, { token })).status).toBe(200);

    const wrong = { login: reg.login, password: 'WrongPass123!' };
    const unknown = { login: `nobody_${reg.login}`, password: 'WrongPass123!' };
    const inactive = { login: deactivated.login, password: 'WrongPass123!' };
    for (let i = 0; i < WARM_UP; i++) await Promise.all([timed(wrong), timed(unknown)]);

    const times = { wrong: [] as number[], unknown: [] as number[] };
    const reference = answer((await timed(wrong)).res);
    expect(reference.status).toBe(401);
    for (let i = 0; i < SAMPLES; i++) {
      // Alternate which goes first, so neither always follows the other.
      const order = i % 2 === 0 ? (['unknown', 'wrong'] as const) : (['wrong', 'unknown'] as const);
      for (const kind of order) {
        const { res, ms } = await timed(kind === 'wrong' ? wrong : unknown);
        expect(answer(res)).toEqual(reference);
        times[kind].push(ms);
      }
    }
    expect(answer((await timed(inactive)).res)).toEqual(reference);

    const medians = { wrong: median(times.wrong), unknown: median(times.unknown) };
    const difference =
      Math.abs(medians.wrong - medians.unknown) / Math.min(medians.wrong, medians.unknown);
    console.info(
      `login timing (${stack.mode}): median wrong password ${medians.wrong.toFixed(1)} ms, ` +
        `unknown login ${medians.unknown.toFixed(1)} ms, difference ${(difference * 100).toFixed(1)} %`,
    );
    expect(body.user.login).toBe(reg.login);
    expect(difference).toBeLessThanOrEqual(0.1);
  }, 120_000);
});
