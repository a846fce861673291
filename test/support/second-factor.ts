import { decodeJwt } from 'jose';
import { generate } from 'otplib';
import { expect } from 'vitest';
import { ContractChecker } from './contract.js';
import { signUp, type MailStack } from './mail-stack.js';

const contract = new ContractChecker('auth.yaml');
const STEP_MS = 30_000;

/**
 * The codes of the time steps before, at and after now. Near the end of a step it first waits for
 * the next one, so that a code computed here is still in the server's window when it arrives.
 */
export async function totpCodes(secret: string) {
  const into = Date.now() % STEP_MS;
  if (into > STEP_MS - 3000) await new Promise((r) => setTimeout(r, STEP_MS - into + 50));
  const now = Date.now();
  const at = (offset: number) => generate({ secret, epoch: Math.floor((now + offset) / 1000) });
  return { previous: await at(-STEP_MS), current: await at(0), next: await at(STEP_MS) };
}

export const claimsOf = (res: { body: { token_pair: { access_token: { token: string } } } }) =>
  decodeJwt(res.body.token_pair.access_token.token);

/**
 * A new account with an authenticator app confirmed by the code of the step before now (so the
 * current and the next code are still good), and its recovery codes.
 */
export async function signUpWithTotp(ctx: MailStack) {
  const account = await signUp(ctx);
  const { authApi } = ctx.stack;
  const started = await authApi.post(
    '/mfa/totp',
    { password: account.password },
    { token: account.token },
  );
  contract.check('startTotpEnrolment', started);
  expect(started.status).toBe(201);
  const secret = started.body.secret as string;
  const codes = await totpCodes(secret);
  const confirmed = await authApi.post(
    '/mfa/totp/confirm',
    { code: codes.previous },
    { token: account.token },
  );
  contract.check('confirmTotpEnrolment', confirmed);
  expect(confirmed.status).toBe(200);
  await ctx.mailbox.next(account.email);
  return { ...account, secret, codes, recoveryCodes: confirmed.body.recovery_codes as string[] };
}

/** POST /login with the right password: for an account with a factor, the mfa_token. */
export async function passwordStep(ctx: MailStack, account: { login: string; password: string }) {
  const res = await ctx.stack.authApi.post('/login', {
    login: account.login,
    password: account.password,
  });
  contract.check('login', res);
  expect(res.status).toBe(401);
  expect(res.body.type).toBe('urn:problem:mfa-required');
  return res.body.mfa_token as string;
}

export async function mfaStep(ctx: MailStack, body: Record<string, unknown>) {
  const res = await ctx.stack.authApi.post('/login/mfa', body);
  contract.check('loginMfa', res);
  return res;
}
