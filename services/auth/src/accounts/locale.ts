import { MAIL_LOCALES, type MailLocale } from '../mail/mail.js';

/**
 * The language of a new account's mails from its Accept-Language header: the supported language
 * the client prefers most (by q-value, then order), English when it names none of them.
 */
export function localeOf(acceptLanguage: string | undefined): MailLocale {
  let best: { locale: MailLocale; q: number } | undefined;
  for (const part of (acceptLanguage ?? '').split(',').slice(0, 32)) {
    const [tag = '', ...params] = part.trim().split(';');
    const language = tag.trim().toLowerCase().split('-')[0] as MailLocale;
    if (!MAIL_LOCALES.includes(language)) continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!(q > 0) || q > 1) continue;
    if (!best || q > best.q) best = { locale: language, q };
  }
  return best?.locale ?? 'en';
}
