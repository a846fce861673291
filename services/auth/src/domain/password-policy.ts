// The seed's rules: at least 8 characters with a lower-case letter, an upper-case letter, a digit and
// one of its special characters. The upper bound keeps argon2 from being fed megabytes.
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;
const SPECIALS = '!@#$%^&*()-=_';

/** Every rule the password breaks, as messages for the `password` field; empty when it is acceptable. */
export function passwordProblems(password: string): string[] {
  const problems: string[] = [];
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH)
    problems.push(`must be at least ${PASSWORD_MIN_LENGTH} characters`);
  if (length > PASSWORD_MAX_LENGTH)
    problems.push(`must be at most ${PASSWORD_MAX_LENGTH} characters`);
  if (!/\p{Ll}/u.test(password)) problems.push('must contain a lower-case letter');
  if (!/\p{Lu}/u.test(password)) problems.push('must contain an upper-case letter');
  if (!/\d/.test(password)) problems.push('must contain a digit');
  if (![...password].some((c) => SPECIALS.includes(c)))
    problems.push(`must contain one of ${SPECIALS}`);
  return problems;
}
