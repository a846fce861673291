import { describe, expect, it } from 'vitest';
import { passwordProblems } from './password-policy.js';

describe('passwordProblems', () => {
  it('accepts the seed walkthrough password', () => {
    expect(passwordProblems('SecurePass123!')).toEqual([]);
  });

  it.each([
    ['Sh0rt!', 'must be at least 8 characters'],
    ['alllower123!', 'must contain an upper-case letter'],
    ['ALLUPPER123!', 'must contain a lower-case letter'],
    ['NoDigitsHere!', 'must contain a digit'],
    ['NoSpecial123', 'must contain one of !@#$%^&*()-=_'],
    [`Aa1!${'x'.repeat(125)}`, 'must be at most 128 characters'],
  ])('rejects %s because it %s', (password, problem) => {
    expect(passwordProblems(password)).toContain(problem);
  });

  it('reports every broken rule at once', () => {
    expect(passwordProblems('abc')).toHaveLength(4);
  });

  it('counts characters, not UTF-16 units', () => {
    expect(passwordProblems('Ab1!😀😀😀😀')).toEqual([]);
  });
});
