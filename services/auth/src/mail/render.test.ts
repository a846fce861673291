import { describe, expect, it } from 'vitest';
import { MAIL_LOCALES, type MailTemplate, type MailTemplateParams } from './mail.js';
import { renderMail } from './render.js';

const LINK =
  'https://app.example.com/reset-password?token=Ab-_9xYz0123456789abcdefghijklmnopqrstuvwxy&lang=ru';

/** One set of parameters per template: a template added without one does not compile. */
const SAMPLES: { [T in MailTemplate]: MailTemplateParams[T][] } = {
  verify_email: [{ login: 'john_doe', link: LINK, expiresInHours: 24 }],
  email_change: [{ login: 'john_doe', newEmail: 'new@example.com', link: LINK, expiresInHours: 1 }],
  email_change_requested: [{ login: 'john_doe', newEmail: 'new@example.com' }],
  email_changed: [{ login: 'john_doe', newEmail: 'new@example.com' }],
  email_in_use: [{ attempt: 'registration' }, { attempt: 'email_change' }],
  password_reset: [{ login: 'john_doe', link: LINK, expiresInMinutes: 30 }],
  password_reset_done: [{ login: 'john_doe' }],
  password_changed: [{ login: 'john_doe' }],
  new_sign_in: [
    {
      login: 'john_doe',
      browser: 'Firefox 128.0',
      os: 'Linux',
      ip: '203.0.113.7',
      at: '2026-12-03T12:00:00.000Z',
    },
    { login: 'john_doe', browser: null, os: null, ip: null, at: '2026-12-03T12:00:00.000Z' },
  ],
  totp_enrolled: [{ login: 'john_doe' }],
  totp_removed: [
    { login: 'john_doe', by: 'owner' },
    { login: 'john_doe', by: 'administrator' },
  ],
  recovery_code_used: [
    { login: 'john_doe', remaining: 1 },
    { login: 'john_doe', remaining: 9 },
  ],
  recovery_codes_regenerated: [{ login: 'john_doe' }],
  passkey_added: [{ login: 'john_doe', name: 'Laptop <b>&</b>' }],
  passkey_removed: [{ login: 'john_doe', name: 'YubiKey 5' }],
};

const cases = MAIL_LOCALES.flatMap((locale) =>
  (Object.keys(SAMPLES) as MailTemplate[]).flatMap((template) =>
    SAMPLES[template].map((params, i) => ({ locale, template, params, name: `${template}#${i}` })),
  ),
);
const render = (c: (typeof cases)[number]) =>
  renderMail(c.template, c.locale, c.params as MailTemplateParams[typeof c.template]);

const CYRILLIC = /[А-Яа-яЁё]/;
const stripTags = (html: string) => html.replace(/<[^>]*>/g, ' ');

describe('renderMail', () => {
  it.each(cases)(
    'When $name is rendered in $locale, then it has a subject, a text and an HTML part in that language',
    (c) => {
      const mail = render(c);
      expect(mail.subject.length).toBeGreaterThan(5);
      expect(mail.subject).not.toMatch(/[\r\n]/);
      expect(mail.text.trim().length).toBeGreaterThan(40);
      expect(mail.html).toMatch(new RegExp(`^<!DOCTYPE html>\\s*<html lang="${c.locale}">`));
      const words = stripTags(mail.html);
      for (const part of [mail.subject, mail.text, words]) {
        expect(CYRILLIC.test(part)).toBe(c.locale === 'ru');
      }
      if ('login' in c.params) {
        expect(mail.text).toContain(c.params.login);
        expect(mail.html).toContain(c.params.login);
      }
      if ('newEmail' in c.params) expect(mail.text).toContain(c.params.newEmail);
    },
  );

  it.each(cases.filter((c) => 'link' in c.params))(
    'When $name with a link is rendered in $locale, then the text part holds the link verbatim on a line of its own, and the HTML part links to it',
    (c) => {
      const mail = render(c);
      expect(mail.text.split('\n')).toContain(LINK);
      expect(mail.html).toContain(`href="${LINK.replaceAll('&', '&amp;')}"`);
      expect(mail.html).not.toContain(LINK);
    },
  );

  it('When a link expires, then the mail says how long it is good for, in words of its language', () => {
    const reset = (locale: 'en' | 'ru', expiresInMinutes: number) =>
      renderMail('password_reset', locale, { login: 'a_b', link: LINK, expiresInMinutes }).text;
    const verify = (locale: 'en' | 'ru', expiresInHours: number) =>
      renderMail('verify_email', locale, { login: 'a_b', link: LINK, expiresInHours }).text;
    expect(reset('en', 30)).toContain('works for 30 minutes');
    expect(reset('en', 1)).toContain('works for 1 minute.');
    expect(reset('en', 120)).toContain('works for 2 hours');
    expect(reset('ru', 30)).toContain('действует 30 минут.');
    expect(reset('ru', 21)).toContain('действует 21 минуту.');
    expect(reset('ru', 3)).toContain('действует 3 минуты.');
    expect(reset('ru', 60)).toContain('действует 1 час.');
    expect(verify('en', 1)).toContain('works for 1 hour.');
    expect(verify('ru', 24)).toContain('действует 24 часа.');
    expect(verify('ru', 48)).toContain('действует 48 часов.');
  });

  it('When a parameter holds markup, then the HTML part shows it as text and never as markup', () => {
    const hostile = '"><script>alert(1)</script><img src=x onerror=alert(2)>@evil.example';
    const link = 'https://app.example.com/verify?token=abc"onmouseover="alert(3)';
    for (const locale of MAIL_LOCALES) {
      const changed = renderMail('email_change', locale, {
        login: '<b>mallory</b>',
        newEmail: hostile,
        link,
        expiresInHours: 24,
      });
      expect(changed.html).not.toMatch(/<script|<img|<b>|onmouseover="/i);
      expect(changed.html).toContain('&lt;b&gt;mallory&lt;/b&gt;');
      expect(changed.html).toContain('&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(changed.html).toContain(
        'href="https://app.example.com/verify?token=abc&quot;onmouseover=&quot;alert(3)"',
      );
      // The text part is not HTML: it keeps the values as they are.
      expect(changed.text).toContain(hostile);
      expect(changed.text.split('\n')).toContain(link);
    }
  });
});
