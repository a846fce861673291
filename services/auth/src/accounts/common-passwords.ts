import { createRequire } from 'node:module';

/** zxcvbn's l33t table: a letter and the characters typed in its place. */
const L33T: Readonly<Record<string, string>> = {
  a: '4@',
  b: '8',
  e: '3',
  g: '69',
  i: '1!|',
  l: '1|7',
  o: '0',
  s: '$5',
  t: '+7',
  x: '%',
  z: '2',
};
const SUBSTITUTABLE = new Set(Object.entries(L33T).flatMap(([letter, subs]) => [letter, ...subs]));

/** `typed` is `plain`, or one of the characters typed in its place. */
const standsFor = (typed: string, plain: string): boolean =>
  typed === plain || (L33T[plain]?.includes(typed) ?? false);

/** `typed` spells `plain` character by character, allowing l33t substitutions. */
function reads(typed: string, plain: string): boolean {
  if (typed.length !== plain.length) return false;
  for (let i = 0; i < plain.length; i++) if (!standsFor(typed[i]!, plain[i]!)) return false;
  return true;
}

/** Some part of `text` reads as `word` (l33t substitutions allowed). Both lower-case. */
export function containsReading(text: string, word: string): boolean {
  for (let i = 0; i + word.length <= text.length; i++) {
    if (reads(text.slice(i, i + word.length), word)) return true;
  }
  return false;
}

/**
 * Two strings can read as each other only if they agree wherever neither character takes part in a
 * substitution, so that shape finds the few entries worth comparing one by one.
 */
const shape = (s: string): string => [...s].map((c) => (SUBSTITUTABLE.has(c) ? '*' : c)).join('');

/**
 * zxcvbn's list of the most common passwords (about 49,000, lower-case, from breach corpora), shipped
 * with the package, so no password leaves the service.
 */
export class CommonPasswordList {
  private readonly byShape = new Map<string, string[]>();

  constructor(entries: readonly string[] = zxcvbnCommonPasswords()) {
    for (const entry of entries) {
      const key = shape(entry);
      const bucket = this.byShape.get(key);
      if (bucket) bucket.push(entry);
      else this.byShape.set(key, [entry]);
    }
  }

  /** The lower-cased password is on the list, as it is or with l33t substitutions undone. */
  has(folded: string): boolean {
    return this.byShape.get(shape(folded))?.some((entry) => reads(folded, entry)) ?? false;
  }
}

/**
 * Loaded on first use: only the nist policy needs the list, and the package (its other dictionaries
 * too) costs the process about 5 MB.
 */
function zxcvbnCommonPasswords(): readonly string[] {
  const load = createRequire(import.meta.url);
  const { dictionary } = load('@zxcvbn-ts/language-common') as {
    dictionary: Record<'passwords-common', string[]>;
  };
  return dictionary['passwords-common'];
}

let shared: CommonPasswordList | undefined;

/** The list, indexed once per process (several services may run in one, as in the embedded default). */
export function commonPasswordList(): CommonPasswordList {
  shared ??= new CommonPasswordList();
  return shared;
}
