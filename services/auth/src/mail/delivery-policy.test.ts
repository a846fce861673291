import { describe, expect, it } from 'vitest';
import { messageIdFor, RETRY_MAX_MS, retryDelayMs } from './delivery-policy.js';

describe('retryDelayMs', () => {
  it('When attempts fail one after another, then the wait doubles from 5 s and stops at 15 min', () => {
    const longest = () => 0;
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 20, 100].map((n) => retryDelayMs(n, longest))).toEqual([
      5_000,
      10_000,
      20_000,
      40_000,
      80_000,
      160_000,
      320_000,
      640_000,
      RETRY_MAX_MS,
      RETRY_MAX_MS,
      RETRY_MAX_MS,
    ]);
  });

  it('When the jitter is drawn, then it shortens the wait by at most a fifth', () => {
    expect(retryDelayMs(1, () => 0.999999)).toBe(4_000);
    expect(retryDelayMs(1, () => 0.5)).toBe(4_500);
    for (let i = 0; i < 200; i++) {
      const delay = retryDelayMs(3);
      expect(delay).toBeGreaterThanOrEqual(16_000);
      expect(delay).toBeLessThanOrEqual(20_000);
    }
  });
});

describe('messageIdFor', () => {
  const mail = { id: 42, createdAt: new Date('2026-12-02T15:40:00.000Z') };

  it('When a mail is sent again, then it has the same Message-ID, in the domain of MAIL_FROM', () => {
    const id = messageIdFor(mail, 'Auth service <no-reply@example.com>');
    expect(id).toBe(messageIdFor({ ...mail }, 'Auth service <no-reply@example.com>'));
    expect(id).toMatch(/^<mail\.42\.[0-9a-z]+@example\.com>$/);
    expect(messageIdFor(mail, 'no-reply@mail.example.org')).toMatch(/@mail\.example\.org>$/);
  });

  it('When two databases queue a mail with the same id, then their Message-IDs differ', () => {
    const other = { id: 42, createdAt: new Date('2026-12-02T15:40:00.001Z') };
    expect(messageIdFor(other, 'a@example.com')).not.toBe(messageIdFor(mail, 'a@example.com'));
  });

  it('When MAIL_FROM has no domain, then the Message-ID falls back to localhost', () => {
    expect(messageIdFor(mail, 'Auth service')).toMatch(/@localhost>$/);
  });
});
