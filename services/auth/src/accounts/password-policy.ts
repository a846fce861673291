import {
  commonPasswordList,
  containsReading,
  type CommonPasswordList,
} from './common-passwords.js';

/**
 * `composition`: the seed's rules (a minimum length and a lower-case letter, an upper-case letter, a
 * digit and a special character); `nist`: NIST SP 800-63B's (length, no composition rules, a list of
 * common passwords). `seed`, the first name of `composition`, is still read as it.
 */
export const PASSWORD_POLICIES = ['composition', 'nist'] as const;
export const PASSWORD_POLICY_ALIASES = { seed: 'composition' } as const;
export type PasswordPolicyName = (typeof PASSWORD_POLICIES)[number];

/** The composition policy's minimum, the only one it takes (the seed's). */
export const COMPOSITION_MIN_LENGTH = 8;
/** NIST SP 800-63B-4's minimum for a password that is the only factor. */
export const NIST_MIN_LENGTH = 15;
export const MIN_LENGTH_RANGE = { min: 8, max: 64 } as const;
/** Both policies: well above the 64 NIST asks to allow, and it keeps argon2 from being fed megabytes. */
export const PASSWORD_MAX_LENGTH = 128;
const SPECIALS = '!@#$%^&*()-=_';
/** Shorter context words are left out: a three-letter login would refuse many sound passphrases. */
const CONTEXT_WORD_MIN_LENGTH = 4;

export interface PasswordPolicySettings {
  name: PasswordPolicyName;
  minLength: number;
}

/** What the password must not contain (ASVS 6.2.11's context-specific words). */
export interface PasswordContext {
  login: string;
  email: string;
  displayName?: string | undefined;
}

export interface PasswordPolicy {
  readonly settings: Readonly<PasswordPolicySettings>;
  /** Every rule the password breaks, as messages for the `password` field (never quoting it). */
  problems(password: string, context: PasswordContext): string[];
  /** The rules in one line, for the start-up log. */
  describe(): string;
}

export function createPasswordPolicy(settings: PasswordPolicySettings): PasswordPolicy {
  const { name, minLength } = settings;
  if (name === 'composition' && minLength !== COMPOSITION_MIN_LENGTH)
    throw new RangeError(`the composition password policy's minimum is ${COMPOSITION_MIN_LENGTH}`);
  if (!Number.isInteger(minLength) || minLength < MIN_LENGTH_RANGE.min)
    throw new RangeError(
      `a password minimum must be an integer of at least ${MIN_LENGTH_RANGE.min}`,
    );
  if (minLength > MIN_LENGTH_RANGE.max)
    throw new RangeError(`a password minimum must be at most ${MIN_LENGTH_RANGE.max}`);
  const frozen = Object.freeze({ name, minLength });
  if (name === 'composition') {
    return {
      settings: frozen,
      problems: (password) => compositionProblems(password),
      describe: () =>
        `composition: ${COMPOSITION_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters with a lower-case letter, an upper-case letter, a digit and one of ${SPECIALS}`,
    };
  }
  const list = commonPasswordList();
  return {
    settings: frozen,
    problems: (password, context) => nistProblems(password, context, minLength, list),
    describe: () =>
      `nist: ${minLength} to ${PASSWORD_MAX_LENGTH} characters, no composition rules, not a common password, not containing the login, email name or display name`,
  };
}

/**
 * Lengths are counted in code points of the NFKC form, the normalisation NIST SP 800-63B asks for:
 * an accented letter counts once whether it arrived precomposed or as a letter and a combining mark,
 * a full-width letter or a ligature counts as the letters it stands for, and an emoji outside the
 * Basic Multilingual Plane counts once, not as its two UTF-16 units.
 */
function lengthProblems(normalised: string, minLength: number): string[] {
  const length = [...normalised].length;
  if (length < minLength) return [`must be at least ${minLength} characters`];
  if (length > PASSWORD_MAX_LENGTH) return [`must be at most ${PASSWORD_MAX_LENGTH} characters`];
  return [];
}

/** The seed's rules, unchanged. */
function compositionProblems(password: string): string[] {
  const problems = lengthProblems(password.normalize('NFKC'), COMPOSITION_MIN_LENGTH);
  if (!/\p{Ll}/u.test(password)) problems.push('must contain a lower-case letter');
  if (!/\p{Lu}/u.test(password)) problems.push('must contain an upper-case letter');
  if (!/\d/.test(password)) problems.push('must contain a digit');
  if (![...password].some((c) => SPECIALS.includes(c)))
    problems.push(`must contain one of ${SPECIALS}`);
  return problems;
}

/** Length, a list of common passwords and context words; any printable character, no composition. */
function nistProblems(
  password: string,
  context: PasswordContext,
  minLength: number,
  list: CommonPasswordList,
): string[] {
  const normalised = password.normalize('NFKC');
  const problems = lengthProblems(normalised, minLength);
  // Controls (tabs, line breaks) cannot be typed reliably; a lone surrogate hashes as U+FFFD.
  if (/[\p{Cc}\p{Cs}]/u.test(password)) problems.push('must not contain control characters');
  const folded = normalised.toLowerCase();
  if (list.has(folded)) problems.push('is too common: it appears in lists of breached passwords');
  const squeezed = folded.replace(/\s+/gu, '');
  for (const [word, what] of contextWords(context)) {
    if (containsReading(squeezed, word)) problems.push(`must not contain ${what}`);
  }
  return problems;
}

function contextWords(context: PasswordContext): [string, string][] {
  const fold = (s: string) => s.normalize('NFKC').toLowerCase().replace(/\s+/gu, '');
  const at = context.email.lastIndexOf('@');
  // john.doe+shop@example.com: the mailbox is john.doe.
  const local = (at < 0 ? context.email : context.email.slice(0, at)).split('+')[0]!;
  const words: [string, string][] = [
    [fold(context.login), 'the login'],
    [fold(local), 'the part of the email address before the @'],
    [fold(context.displayName ?? ''), 'the display name'],
  ];
  // One message per word: a login that is also the mailbox name is reported once.
  return words.filter(
    ([word], i) =>
      [...word].length >= CONTEXT_WORD_MIN_LENGTH && !words.slice(0, i).some(([w]) => w === word),
  );
}
