import { randomBytes } from 'node:crypto';

let counter = 0;

/** Letters only, so it is always a valid display name. */
function letters(n: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz';
  return [...randomBytes(n)].map((b) => alphabet[b % 26]).join('');
}

/** A valid, unique registration body. */
export function newRegistration(
  overrides: Partial<Record<'display_name' | 'login' | 'email' | 'password', string>> = {},
) {
  counter++;
  const login = `u${counter}_${letters(8)}`;
  return {
    display_name: `Test ${letters(1).toUpperCase()}${letters(6)}`,
    login,
    email: `${login}@example.com`,
    password: 'SecurePass123!',
    ...overrides,
  };
}
