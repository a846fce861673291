import type { Repositories } from '../data/store.js';
import type { MailLocale, MailTemplate, MailTemplateParams } from '../mail/mail.js';
import { renderMail } from '../mail/render.js';
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
