// Types of cbor.js, for the TypeScript tests.

/** What encodeCbor writes: integers, text and byte strings, arrays, and maps with integer or text keys. */
export type CborValue =
  number | string | Uint8Array | CborValue[] | Map<number | string, CborValue>;

export function encodeCbor(value: CborValue): Buffer;
