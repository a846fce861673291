import type { Account } from '../accounts/account-repository.js';
import type { Repositories } from '../data/store.js';
import { queueMail } from '../recovery/mailer.js';
import { describeUserAgent, type ClientDescription } from './user-agent.js';

/** How many of the account's latest sessions a sign-in is compared with. */
const SESSIONS_COMPARED = 100;

/** A device as the notice tells them apart: browser and system by name, so an update is none. */
function deviceOf(client: ClientDescription): string {
  const { browser, os, device } = client;
  return JSON.stringify([browser.name, os.name, device.type, device.vendor, device.model]);
}

const named = (name: string | null, version: string | null) =>
  name === null ? null : version === null ? name : `${name} ${version}`;

/**
 * In the sign-in's transaction, before its session is stored: queues the new-sign-in notice when
 * the account has sessions (ended ones included, until the cleanup deletes them) and none of them
 * came from the same browser and system. The account's first session is no news. Returns whether
 * a mail was queued.
 */
export async function queueNewSignInNotice(
  repos: Repositories,
  account: Account,
  client: { ip?: string | undefined; userAgent?: string | undefined },
  correlationId?: string,
): Promise<boolean> {
  const earlier = await repos.sessions.userAgentsOf(account.id, SESSIONS_COMPARED);
  if (earlier.length === 0) return false;
  const described = describeUserAgent(client.userAgent ?? null);
  const device = deviceOf(described);
  if (earlier.some((userAgent) => deviceOf(describeUserAgent(userAgent)) === device)) return false;
  await queueMail(repos, {
    to: account.email,
    locale: account.locale,
    template: 'new_sign_in',
    params: {
      login: account.login,
      browser: named(described.browser.name, described.browser.version),
      os: named(described.os.name, described.os.version),
      ip: client.ip ?? null,
      at: new Date().toISOString(),
    },
    correlationId,
  });
  return true;
}
