import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type CDPSession, type Page } from 'playwright-core';
import { newRegistration } from '../support/factories.js';
import {
  servePasskeyPage,
  type PasskeyPage,
  type PasskeyPageServer,
} from '../support/passkey-page.js';
import { startStack, type Stack } from '../support/stack.js';

// A real browser: Debian's Chromium with a CDP virtual authenticator (a platform authenticator with
// resident keys and user verification) registers a passkey and logs in without a password, on a page
// at the relying party's origin whose calls reach the real services.
const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available) {
  const message = `${CHROMIUM} is missing: the passkey browser test cannot run (bash scripts/ensure-chromium.sh installs it)`;
  if (process.env.CI) throw new Error(`${message}; CI is set, so this fails instead of skipping.`);
  console.warn(
    `\n${'!'.repeat(message.length + 4)}\n! ${message} !\n${'!'.repeat(message.length + 4)}\n`,
  );
}

let page: PasskeyPageServer;
let stack: Stack;
let browser: Browser;
let tab: Page;
let cdp: CDPSession;
let authenticatorId: string;

beforeAll(async () => {
  if (!available) return;
  page = await servePasskeyPage();
  stack = await startStack({ WEBAUTHN_RP_ID: 'localhost', WEBAUTHN_ORIGINS: page.origin });
  page.proxyTo(stack.authApi.baseUrl);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-background-networking',
      '--host-resolver-rules=MAP localhost 127.0.0.1',
    ],
  });
  tab = await browser.newPage();
  cdp = await tab.context().newCDPSession(tab);
  await cdp.send('WebAuthn.enable');
  ({ authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  }));
  await tab.goto(`${page.origin}/`);
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await page?.close();
});

describe.skipIf(!available)('passkeys in Chromium', () => {
  it('When the page registers a passkey with the virtual authenticator, then it logs in with it, without a password', async () => {
    const registration = newRegistration();
    const created = await stack.authApi.post('/register', registration);
    expect(created.status).toBe(201);
    const token = created.body.token_pair.access_token.token as string;

    const registered = await tab.evaluate(
      ([t, p]) => (globalThis as unknown as PasskeyPage).registerPasskey(t, p, 'Chromium'),
      [token, registration.password] as const,
    );
    expect(registered).toMatchObject({ status: 201, body: { name: 'Chromium' } });

    // The authenticator holds a discoverable credential whose user handle is the account's.
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials).toHaveLength(1);
    expect(credentials[0]!.isResidentCredential).toBe(true);
    expect(credentials[0]!.rpId).toBe('localhost');
    const { rows } = await stack.authDb.query<{ user_handle: string }>(
      'SELECT user_handle FROM webauthn_user_handles WHERE user_id = ?',
      [created.body.user.id],
    );
    expect(Buffer.from(credentials[0]!.userHandle!, 'base64')).toEqual(
      Buffer.from(rows[0]!.user_handle, 'base64url'),
    );

    const loggedIn = await tab.evaluate(() =>
      (globalThis as unknown as PasskeyPage).loginWithPasskey(),
    );
    expect(loggedIn.status).toBe(200);
    expect(loggedIn.body.user.id).toBe(created.body.user.id);
    const access = loggedIn.body.token_pair.access_token.token as string;
    expect((await stack.userApi.get('/profile', { token: access })).status).toBe(200);

    const listed = await stack.authApi.get('/passkeys', { token: access });
    expect(listed.body.passkeys).toHaveLength(1);
    expect(listed.body.passkeys[0].last_used_at).not.toBeNull();
  });
});
