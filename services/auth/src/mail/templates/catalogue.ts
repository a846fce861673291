import type { MailLocale, MailTemplate, MailTemplateParams } from '../mail.js';

/**
 * A paragraph of plain text, or a link: the text part shows its URL exactly as given (it carries the
 * token), the HTML part a link labelled `label` with the URL below it to copy.
 */
export type MailBlock = string | { link: string; label: string };

/** What a template says, once per language; render.ts builds the text and the HTML part from it. */
export interface MailContent {
  subject: string;
  body: readonly MailBlock[];
}

/**
 * One language's mails. Every template has an entry, so a template added to MailTemplateParams
 * does not compile until each language has its wording.
 */
export interface MailCatalogue {
  locale: MailLocale;
  /** Under the link of the HTML part, for mail programs that do not open it. */
  copyHint: string;
  /** The last line of every mail. */
  footer: string;
  templates: { readonly [T in MailTemplate]: (params: MailTemplateParams[T]) => MailContent };
}
