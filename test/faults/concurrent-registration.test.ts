import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContractChecker } from '../support/contract.js';
import { newRegistration } from '../support/factories.js';
import { client } from '../support/http-client.js';
import { startFaultStack, waitFor, type FaultStack } from './fault-stack.js';

const contract = new ContractChecker('auth.yaml');
let stack: FaultStack;

beforeAll(async () => {
  stack = await startFaultStack();
});
afterAll(async () => {
  await stack?.stop();
});

describe('concurrent registrations of one login', () => {
  it('When 50 register the same login at once, then exactly one gets 201, the others 409, and one profile exists', async () => {
    const login = `racer_${Date.now().toString(36)}`;
    const api = client(stack.auth!.url);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        api.post(
          '/register',
          newRegistration({
            login,
            email: `racer${i}_${login}@example.com`,
            display_name: 'Race Runner',
          }),
        ),
      ),
    );
    for (const res of results) contract.check('register', res);
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);

    const winner = results.find((r) => r.status === 201)!.body.user.id as number;
    await waitFor('the profile', async () => {
      const { rows } = await stack.userDb.query(
        'SELECT count(*)::int AS n FROM user_profiles WHERE auth_id = $1',
        [winner],
      );
      return rows[0].n === 1;
    });
    const accounts = await stack.authDb.query(
      'SELECT count(*)::int AS n FROM auth_info WHERE login_lower = $1',
      [login],
    );
    expect(accounts.rows[0].n).toBe(1);
    const profiles = await stack.userDb.query(
      "SELECT count(*)::int AS n FROM user_profiles WHERE display_name = 'Race Runner'",
    );
    expect(profiles.rows[0].n).toBe(1);
  });
});
