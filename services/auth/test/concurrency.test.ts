import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContractChecker } from '../../../test/support/contract.js';
import { newRegistration } from '../../../test/support/factories.js';
import { startStack, type Stack } from '../../../test/support/stack.js';

const auth = new ContractChecker('auth.yaml');
const user = new ContractChecker('user.yaml');
let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

describe('concurrent requests on one database', () => {
  it('When failing and succeeding registrations, logins and refreshes run at once, then nothing that succeeded is lost', async () => {
    const taken = newRegistration();
    expect((await stack.authApi.post('/register', taken)).status).toBe(201);
    const fresh = Array.from({ length: 20 }, () =>
      newRegistration({ display_name: 'Parallel Person' }),
    );
    const results = await Promise.all([
      // Each of these fails inside its transaction (the login exists) and rolls back...
      ...Array.from({ length: 20 }, (_, i) =>
        stack.authApi.post(
          '/register',
          newRegistration({ login: taken.login, email: `dup${i}_${taken.email}` }),
        ),
      ),
      // ...while these commit their own work on the same database at the same time.
      ...fresh.map((reg) => stack.authApi.post('/register', reg)),
      ...Array.from({ length: 10 }, () =>
        stack.authApi.post('/login', { login: taken.login, password: taken.password }),
      ),
    ]);
    for (const res of results) expect([201, 200, 409]).toContain(res.status);
    expect(results.slice(0, 20).every((r) => r.status === 409)).toBe(true);
    expect(results.slice(20, 40).every((r) => r.status === 201)).toBe(true);
    expect(results.slice(40).every((r) => r.status === 200)).toBe(true);

    await stack.settle();
    for (const [i, reg] of fresh.entries()) {
      const login = await stack.authApi.post('/login', {
        login: reg.login,
        password: reg.password,
      });
      auth.check('login', login);
      expect(login.status, `account ${i} survived`).toBe(200);
      const profile = await stack.userApi.get('/profile', {
        token: login.body.token_pair.access_token.token,
      });
      user.check('getProfile', profile);
      expect(profile.status, `profile ${i} exists`).toBe(200);
    }
    for (const res of results.slice(40)) {
      const refreshed = await stack.authApi.post('/refresh', {
        refresh_token: res.body.token_pair.refresh_token.token,
      });
      auth.check('refresh', refreshed);
      expect(refreshed.status, 'every session that was started still exists').toBe(200);
    }
  });
});
