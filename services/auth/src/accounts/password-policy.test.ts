import { dictionary } from '@zxcvbn-ts/language-common';
import { describe, expect, it } from 'vitest';
import { loadAuthConfig } from '../config.js';
import { createPasswordPolicy } from './password-policy.js';

const composition = createPasswordPolicy({ name: 'composition', minLength: 8 });
const nist = createPasswordPolicy({ name: 'nist', minLength: 15 });
const nist8 = createPasswordPolicy({ name: 'nist', minLength: 8 });
const context = {
  login: 'quietfox',
  email: 'mary.jones+news@example.com',
  displayName: 'Mary Jones',
};
const common = new Set(dictionary['passwords-common']);

/** A passphrase of exactly `n` code points: spaces, German, Cyrillic and Japanese, no digit. */
const passphrase = (n: number) =>
  [
    ...'zwölf boxkämpfer jagen viktor quer über den großen deich тихий сад у моря 東京の夜 '.repeat(
      4,
    ),
  ]
    .slice(0, n)
    .join('');

describe('the composition policy', () => {
  const problems = (password: string) => composition.problems(password, context);

  it('When the seed walkthrough password is checked, then it is accepted', () => {
    expect(problems('SecurePass123!')).toEqual([]);
  });

  it.each([
    ['Sh0rt!', 'must be at least 8 characters'],
    ['alllower123!', 'must contain an upper-case letter'],
    ['ALLUPPER123!', 'must contain a lower-case letter'],
    ['NoDigitsHere!', 'must contain a digit'],
    ['NoSpecial123', 'must contain one of !@#$%^&*()-=_'],
    [`Aa1!${'x'.repeat(125)}`, 'must be at most 128 characters'],
  ])('When %s is checked, then it is refused: it %s', (password, problem) => {
    expect(problems(password)).toContain(problem);
  });

  it('When a password breaks several rules, then every one is reported', () => {
    expect(problems('abc')).toHaveLength(4);
  });

  it('When a password has astral characters, then each counts once, not as two UTF-16 units', () => {
    expect(problems('Ab1!😀😀😀😀')).toEqual([]);
  });

  it('When a long lower-case passphrase without digits is checked, then the composition rules refuse it', () => {
    expect(problems(passphrase(64))).toEqual([
      'must contain an upper-case letter',
      'must contain a digit',
      'must contain one of !@#$%^&*()-=_',
    ]);
  });
});

describe('the nist policy', () => {
  it('When a 64- or a 128-character passphrase has spaces and non-Latin letters, then it is accepted', () => {
    expect(nist.problems(passphrase(64), context)).toEqual([]);
    expect(nist.problems(passphrase(128), context)).toEqual([]);
  });

  it('When a password is 129 characters, then it is refused', () => {
    expect(nist.problems(passphrase(129), context)).toEqual(['must be at most 128 characters']);
  });

  it('When a password is shorter than the minimum, then it is refused', () => {
    expect(nist.problems(passphrase(14), context)).toEqual(['must be at least 15 characters']);
    expect(nist.problems(passphrase(15), context)).toEqual([]);
    expect(nist8.problems('kq8 zv!w', context)).toEqual([]);
  });

  it('When accents arrive as combining marks, then the length counts what NFKC makes of them', () => {
    const decomposed = 'e\u0301'.repeat(14); // 28 code points, 14 letters
    expect(nist.problems(decomposed, context)).toEqual(['must be at least 15 characters']);
  });

  it('When a strong password has no upper case, digit or special character, then it is accepted', () => {
    expect(nist.problems('vivid otter juggles quartz lamps', context)).toEqual([]);
  });

  it.each(['passwordpassword', '1234567890qwerty', 'qwertyuiop12345'])(
    'When %s, a common password of 15 or more characters, is checked, then it is refused',
    (password) => {
      expect(common.has(password)).toBe(true);
      expect(nist.problems(password, context)).toEqual([
        'is too common: it appears in lists of breached passwords',
      ]);
    },
  );

  it.each([
    ['in capitals', 'PasswordPassword'],
    ['with l33t substitutions', 'P4$$w0rdp@ssw0rd'],
    ['in full-width letters', 'ｐａｓｓｗｏｒｄｐａｓｓｗｏｒｄ'],
  ])('When a common password is written %s, then it is still refused', (_how, password) => {
    expect(nist.problems(password, context)).toContain(
      'is too common: it appears in lists of breached passwords',
    );
  });

  it('When the minimum is 8, then short common passwords are refused and short rare ones accepted', () => {
    for (const password of ['iloveyou', 'sunshine', 'f00tba11']) {
      expect(nist8.problems(password, context), password).toEqual([
        'is too common: it appears in lists of breached passwords',
      ]);
    }
    expect(nist8.problems('vq3 zplk', context)).toEqual([]);
  });

  it.each([
    ['the login', 'correct quietfox battery', 'must not contain the login'],
    ['the login in capitals and l33t', 'correct QU1E7F0X battery', 'must not contain the login'],
    [
      'the mailbox name',
      'staple mary.jones horse battery',
      'must not contain the part of the email address before the @',
    ],
    ['the display name', 'horse mary jones staple', 'must not contain the display name'],
  ])('When a password contains %s, then it is refused', (_what, password, problem) => {
    expect(nist.problems(password, context)).toEqual([problem]);
  });

  it('When a context word is shorter than four characters, then it is not held against the password', () => {
    const short = { login: 'tom', email: 'tom@example.com' };
    expect(nist.problems('custom tomatoes in the garden', short)).toEqual([]);
  });

  it('When a password has control characters, then it is refused', () => {
    expect(nist.problems('line one\nline two of it', context)).toEqual([
      'must not contain control characters',
    ]);
  });

  it('When a password is refused, then no message quotes it', () => {
    const problems = [
      ...nist.problems('quietfox marmalade', context),
      ...nist.problems('iloveyou', context),
    ];
    expect(problems).toHaveLength(3);
    for (const fragment of ['quietfox', 'marmalade', 'iloveyou'])
      expect(problems.join(' ')).not.toContain(fragment);
  });
});

describe('createPasswordPolicy', () => {
  it.each([
    ['a composition minimum other than 8', { name: 'composition', minLength: 12 }],
    ['a minimum below 8', { name: 'nist', minLength: 7 }],
    ['a minimum above 64', { name: 'nist', minLength: 65 }],
  ] as const)('When it is given %s, then it throws', (_what, settings) => {
    expect(() => createPasswordPolicy(settings)).toThrow(RangeError);
  });
});

describe('PASSWORD_POLICY and PASSWORD_MIN_LENGTH', () => {
  const policyOf = (env: Record<string, string>) => loadAuthConfig(env).passwordPolicy;

  it('When nothing is set, then the composition policy with its minimum of 8 applies', () => {
    expect(policyOf({})).toEqual({ name: 'composition', minLength: 8 });
    expect(policyOf({ PASSWORD_MIN_LENGTH: '8' })).toEqual({ name: 'composition', minLength: 8 });
  });

  it('When the policy is given by its old name seed, then it is the composition policy', () => {
    expect(policyOf({ PASSWORD_POLICY: 'seed' })).toEqual({ name: 'composition', minLength: 8 });
    expect(() => loadAuthConfig({ PASSWORD_POLICY: 'seed', PASSWORD_MIN_LENGTH: '12' })).toThrow(
      'PASSWORD_MIN_LENGTH applies to PASSWORD_POLICY=nist only',
    );
  });

  it('When the nist policy is chosen, then its minimum is 15 unless set from 8 to 64', () => {
    expect(policyOf({ PASSWORD_POLICY: 'nist' })).toEqual({ name: 'nist', minLength: 15 });
    expect(policyOf({ PASSWORD_POLICY: 'nist', PASSWORD_MIN_LENGTH: '8' }).minLength).toBe(8);
    expect(policyOf({ PASSWORD_POLICY: 'nist', PASSWORD_MIN_LENGTH: '64' }).minLength).toBe(64);
  });

  it.each([
    [
      { PASSWORD_POLICY: 'strict' },
      'PASSWORD_POLICY must be one of composition, nist, got "strict"',
    ],
    [
      { PASSWORD_POLICY: 'nist', PASSWORD_MIN_LENGTH: '7' },
      'PASSWORD_MIN_LENGTH must be an integer from 8 to 64',
    ],
    [
      { PASSWORD_POLICY: 'nist', PASSWORD_MIN_LENGTH: '65' },
      'PASSWORD_MIN_LENGTH must be an integer from 8 to 64',
    ],
    [{ PASSWORD_MIN_LENGTH: '12' }, 'PASSWORD_MIN_LENGTH applies to PASSWORD_POLICY=nist only'],
  ])('When %o is set, then start-up is refused', (env, problem) => {
    expect(() => loadAuthConfig(env)).toThrow(problem);
  });
});
