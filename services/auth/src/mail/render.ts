import type { MailLocale, MailTemplate, MailTemplateParams, RenderedMail } from './mail.js';

/**
 * Renders a mail from its template in the account's language: a text part (which always holds the
 * link, if any) and an HTML part. Provisional: one line per template, to be replaced by the real
 * templates.
 */
export function renderMail<T extends MailTemplate>(
  template: T,
  _locale: MailLocale,
  params: MailTemplateParams[T],
): RenderedMail {
  const values = params as Record<string, unknown>;
  const text = `${template}\n\n${Object.entries(values)
    .map(([k, v]) => `${k}: ${String(v)}`)
    .join('\n')}\n`;
  return { subject: template, text, html: `<pre>${escapeHtml(text)}</pre>` };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
