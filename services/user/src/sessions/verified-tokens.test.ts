import { describe, expect, it } from 'vitest';
import type { TokenClaims } from '@platform/common';
import { VerifiedTokens } from './verified-tokens.js';

const claims = (exp: number) => ({ sub: '1', exp }) as TokenClaims;

describe('VerifiedTokens', () => {
  it('When a token expires, then the cache no longer returns it', () => {
    let now = 1_000_000;
    const cache = new VerifiedTokens(10, () => now);
    cache.set('a', claims(1_001));
    expect(cache.get('a')).toEqual(claims(1_001));
    now = 1_001_000;
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('When it is full, then the least recently used token goes first', () => {
    const cache = new VerifiedTokens(2, () => 0);
    cache.set('a', claims(10));
    cache.set('b', claims(10));
    cache.get('a');
    cache.set('c', claims(10));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
    expect(cache.get('c')).toBeDefined();
    expect(cache.size).toBe(2);
  });

  it('When its capacity is 0, then it keeps nothing', () => {
    const cache = new VerifiedTokens(0, () => 0);
    cache.set('a', claims(10));
    expect(cache.get('a')).toBeUndefined();
  });
});
