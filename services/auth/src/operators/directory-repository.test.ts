import { describe, expect, it } from 'vitest';
import { likePrefix, prefixUpperBound } from './directory-repository.js';

describe('directory prefixes', () => {
  it('When a prefix holds LIKE wildcards or the escape character, then each stands for itself', () => {
    expect(likePrefix('a%b_c\\d')).toBe('a\\%b\\_c\\\\d%');
    expect(likePrefix('plain')).toBe('plain%');
  });

  it('When the range of a prefix is taken, then it holds exactly the strings that start with it', () => {
    const inside = (s: string, p: string) => s >= p && s < prefixUpperBound(p);
    expect(prefixUpperBound('ab')).toBe('ac');
    expect(prefixUpperBound('a_')).toBe('a`');
    for (const [s, p, expected] of [
      ['abc', 'ab', true],
      ['ab', 'ab', true],
      ['ac', 'ab', false],
      ['aa\u{10ffff}', 'ab', false],
      ['ab\u{10ffff}x', 'ab', true],
      ['a', 'ab', false],
    ] as const) {
      expect(inside(s, p), `${s} in ${p}`).toBe(expected);
    }
    expect(prefixUpperBound('a\u{10ffff}')).toBe('b');
  });
});
