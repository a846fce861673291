import { describe, expect, it } from 'vitest';
import { localeOf } from './locale.js';

describe('the language of a new account from Accept-Language', () => {
  it.each([
    [undefined, 'en'],
    ['', 'en'],
    ['ru', 'ru'],
    ['ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7', 'ru'],
    ['en-GB,en;q=0.9,ru;q=0.8', 'en'],
    ['de-DE,de;q=0.9,ru;q=0.5', 'ru'],
    ['fr, en;q=0.2, ru;q=0.6', 'ru'],
    ['ru;q=0, en;q=0.1', 'en'],
    ['RU', 'ru'],
    ['ru;q=abc', 'en'],
    ['zh-CN', 'en'],
  ] as const)('When the header is %j, then the mails are in %s', (header, locale) => {
    expect(localeOf(header)).toBe(locale);
  });
});
