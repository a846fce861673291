import type { MailLocale, MailTemplate, MailTemplateParams, RenderedMail } from './mail.js';
import type { MailBlock, MailCatalogue } from './templates/catalogue.js';
import { en } from './templates/en.js';
import { html, SafeHtml } from './templates/html.js';
import { ru } from './templates/ru.js';

const CATALOGUES: Readonly<Record<MailLocale, MailCatalogue>> = { en, ru };

/**
 * Renders a mail from its template in the account's language. Both parts come from the same
 * wording: the text part holds each link exactly as given (it carries the token), and every value
 * that reaches the HTML part is escaped on the way in.
 */
export function renderMail<T extends MailTemplate>(
  template: T,
  locale: MailLocale,
  params: MailTemplateParams[T],
): RenderedMail {
  const catalogue = CATALOGUES[locale];
  const { subject, body } = catalogue.templates[template](params);
  return {
    subject,
    text: [...body.map(textBlock), `-- \n${catalogue.footer}`].join('\n\n') + '\n',
    html: document(catalogue, subject, body).markup,
  };
}

function textBlock(block: MailBlock): string {
  return typeof block === 'string' ? block : block.link;
}

function htmlBlock(block: MailBlock, catalogue: MailCatalogue): SafeHtml {
  if (typeof block === 'string') return html`<p>${block}</p>`;
  return html`<p><a href="${block.link}" style="${BUTTON}">${block.label}</a></p>
    <p style="${SMALL}">${catalogue.copyHint}<br />${block.link}</p>`;
}

const BUTTON =
  'display:inline-block;padding:10px 18px;background:#1a56db;color:#ffffff;text-decoration:none;border-radius:4px';
const SMALL = 'color:#555555;font-size:13px;word-break:break-all';

function document(catalogue: MailCatalogue, subject: string, body: readonly MailBlock[]) {
  const blocks = SafeHtml.join(body.map((block) => htmlBlock(block, catalogue)));
  return html`<!DOCTYPE html>
    <html lang="${catalogue.locale}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${subject}</title>
      </head>
      <body
        style="margin:0;padding:24px;font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;color:#1f2328"
      >
        <div style="max-width:560px">
          ${blocks}
          <p style="${SMALL}">${catalogue.footer}</p>
        </div>
      </body>
    </html> `;
}
