import { afterAll, beforeAll, expect } from 'vitest';
import { newRegistration } from './factories.js';
import { openMailbox, type Mailbox } from './mailbox.js';
import { startStack, type Stack } from './stack.js';

export interface MailStack {
  stack: Stack;
  mailbox: Mailbox;
}

/**
 * For the tests of one file: a stack whose auth service mails to a real SMTP server (see Mailbox),
 * started before them and stopped after. `env` goes to the services, as for startStack.
 */
export function useMailStack(env: Record<string, string> = {}): MailStack {
  const ctx = {} as MailStack;
  beforeAll(async () => {
    ctx.mailbox = await openMailbox();
    ctx.stack = await startStack({ ...ctx.mailbox.env, ...env });
  });
  afterAll(async () => {
    await ctx.stack?.stop();
    await ctx.mailbox?.close();
  });
  return ctx;
}

/**
 * A new account: its registration and tokens. Its verification mail is taken off the mailbox unless
 * `keepMail` (then the test reads it).
 */
export async function signUp(
  { stack, mailbox }: MailStack,
  opts: { headers?: Record<string, string>; keepMail?: boolean } = {},
) {
  const registration = newRegistration();
  const res = await stack.authApi.post('/register', registration, { headers: opts.headers });
  expect(res.status).toBe(201);
  if (!opts.keepMail) await mailbox.next(registration.email);
  return {
    ...registration,
    userId: res.body.user.id as number,
    user: res.body.user as { id: number; email_verified: boolean; locale: string },
    pair: res.body.token_pair,
    token: res.body.token_pair.access_token.token as string,
  };
}
