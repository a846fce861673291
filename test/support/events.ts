import { expect } from 'vitest';
import { ContractChecker } from './contract.js';
import { newRegistration } from './factories.js';
import type { Stack } from './stack.js';

const authContract = new ContractChecker('auth.yaml');
let nextAuthId = 1_000_000;

/** An auth_id no account of the stack has (accounts count up from 1). */
export const freshAuthId = () => ++nextAuthId;

export const registerPayload = (authId: number, displayName = 'John Doe') => ({
  event_type: 'Register',
  auth_id: authId,
  display_name: displayName,
});

export const deactivatePayload = (authId: number) => ({
  event_type: 'Account Deactivate',
  auth_id: authId,
  is_active: false,
});

export const reactivatePayload = (authId: number, deactivationId?: string) => ({
  event_type: 'Account Reactivate',
  auth_id: authId,
  is_active: true,
  ...(deactivationId ? { deactivation_id: deactivationId } : {}),
});

export const erasedPayload = (authId: number) => ({
  event_type: 'Account Erased',
  auth_id: authId,
});

/** Registers through the auth service and waits for the Register event to reach the user service. */
export async function registeredUser(stack: Stack) {
  const res = await stack.authApi.post('/register', newRegistration());
  authContract.check('register', res);
  expect(res.status).toBe(201);
  await stack.settle();
  return {
    id: res.body.user.id as number,
    access: res.body.token_pair.access_token.token as string,
    refresh: res.body.token_pair.refresh_token.token as string,
  };
}

/** Deactivates the user's own account through the auth service and waits for the event. */
export async function deactivate(stack: Stack, access: string): Promise<void> {
  const res = await stack.authApi.post('/account-delete', undefined, { token: access });
  authContract.check('deactivateOwnAccount', res);
  expect(res.status).toBe(200);
  await stack.settle();
}
