import type { Repositories } from '../data/store.js';
import type { AuthDeps } from '../deps.js';
import type { MailLocale, MailTemplate, MailTemplateParams } from '../mail/mail.js';
import { renderMail } from '../mail/render.js';
import { newMailToken, type MailTokenPurpose } from './mail-token-repository.js';
import type { RecoverySettings } from './recovery-config.js';

/**
 * The link of a mail: the configured public origin and path with the token as its `token`
 * parameter. Never built from a request (Host, X-Forwarded-Host): a forged header must not send a
 * victim's token to another site.
 */
export function mailLink(
  settings: RecoverySettings,
  kind: 'reset' | 'verify',
  token: string,
): string {
  const path = kind === 'reset' ? settings.resetPath : settings.verifyPath;
  return settings.appBaseUrl + path.replace('{token}', encodeURIComponent(token));
}

/**
 * Inside a transaction: a new token for the account, bound to `purpose` and to the address it is
 * mailed to (the account's earlier ones of that purpose stop working), and its link. The caller
 * queues the mail that carries the link.
 */
export async function issueLink(
  deps: AuthDeps,
  repos: Repositories,
  link: { userId: number; purpose: MailTokenPurpose; email: string },
): Promise<{ url: string; ttlSeconds: number }> {
  const { token, hash } = newMailToken();
  const reset = link.purpose === 'reset';
  const ttlSeconds = reset
    ? deps.recovery.resetTokenTtlSeconds
    : deps.recovery.verifyTokenTtlSeconds;
  await repos.mailTokens.issue({ ...link, hash, ttlSeconds });
  return { url: mailLink(deps.recovery, reset ? 'reset' : 'verify', token), ttlSeconds };
}

/** Inside the transaction of the change it tells of: renders the mail and queues it. */
export function queueMail<T extends MailTemplate>(
  repos: Repositories,
  mail: {
    to: string;
    locale: MailLocale;
    template: T;
    params: MailTemplateParams[T];
    correlationId?: string | undefined;
  },
): Promise<void> {
  return repos.mail.enqueue({
    template: mail.template,
    to: mail.to,
    rendered: renderMail(mail.template, mail.locale, mail.params),
    correlationId: mail.correlationId,
  });
}
