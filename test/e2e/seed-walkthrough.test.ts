import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContractChecker } from '../support/contract.js';
import type { HttpResult } from '../support/http-client.js';
import { startStack, type Stack } from '../support/stack.js';

const authContract = new ContractChecker('auth.yaml');
const userContract = new ContractChecker('user.yaml');
let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const checked = (contract: ContractChecker, operationId: string, res: HttpResult) => {
  contract.check(operationId, res);
  return res;
};
const credentials = { login: 'johndoe', password: 'SecurePass123!' };
const login = async () =>
  checked(authContract, 'login', await stack.authApi.post('/login', credentials));

describe('the seed walkthrough', () => {
  it('When a client walks it through both services, then every step answers as documented', async () => {
    // 1. Register; the Register event creates the profile.
    const registered = checked(
      authContract,
      'register',
      await stack.authApi.post('/register', {
        display_name: 'John Doe',
        login: 'johndoe',
        email: 'john@example.com',
        password: 'SecurePass123!',
      }),
    );
    expect(registered.status).toBe(201);
    const userId = registered.body.user.id as number;
    await stack.settle();

    // 2. Log in.
    const loggedIn = await login();
    expect(loggedIn.status).toBe(200);
    expect(loggedIn.body.user).toEqual({
      id: userId,
      login: 'johndoe',
      email: 'john@example.com',
      is_active: true,
      email_verified: false,
      locale: 'en',
    });
    const access = loggedIn.body.token_pair.access_token.token as string;
    const refresh = loggedIn.body.token_pair.refresh_token.token as string;

    // 3. Read the profile.
    const profile = checked(
      userContract,
      'getProfile',
      await stack.userApi.get('/profile', { token: access }),
    );
    expect(profile.status).toBe(200);
    expect(profile.body).toMatchObject({
      auth_id: userId,
      display_name: 'John Doe',
      bio: null,
      is_active: true,
    });

    // 4. Edit the bio.
    const edited = checked(
      userContract,
      'editBio',
      await stack.userApi.patch('/edit-bio', { bio: 'Hello, I am John!' }, { token: access }),
    );
    expect(edited.status).toBe(200);
    expect(edited.body).toEqual({ ...profile.body, bio: 'Hello, I am John!' });

    // 5. Refresh: a new pair.
    const refreshed = checked(
      authContract,
      'refresh',
      await stack.authApi.post('/refresh', { refresh_token: refresh }),
    );
    expect(refreshed.status).toBe(200);
    const newAccess = refreshed.body.access_token.token as string;
    const newRefresh = refreshed.body.refresh_token.token as string;
    expect([newAccess, newRefresh]).not.toContain(access);
    expect(newRefresh).not.toBe(refresh);

    // 6. Log out with the new pair; its refresh token no longer works.
    const loggedOut = checked(
      authContract,
      'logout',
      await stack.authApi.post('/logout', { refresh_token: newRefresh }, { token: newAccess }),
    );
    expect(loggedOut.status).toBe(204);
    const afterLogout = checked(
      authContract,
      'refresh',
      await stack.authApi.post('/refresh', { refresh_token: newRefresh }),
    );
    expect(afterLogout.status).toBe(401);

    // 7. Log in again and deactivate the account.
    const again = await login();
    expect(again.status).toBe(200);
    const lastAccess = again.body.token_pair.access_token.token as string;
    const deleted = checked(
      authContract,
      'deactivateOwnAccount',
      await stack.authApi.post('/account-delete', undefined, { token: lastAccess }),
    );
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ id: userId, is_active: false });
    await stack.settle();

    // The profile and the login now answer 403.
    const gone = checked(
      userContract,
      'getProfile',
      await stack.userApi.get('/profile', { token: lastAccess }),
    );
    expect(gone.status).toBe(403);
    const refused = await login();
    expect(refused.status).toBe(403);
  });
});
