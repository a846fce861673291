// The little CBOR (RFC 8949) an authenticator writes: unsigned and negative integers, byte and text
// strings, arrays and maps (a Map keeps its keys' order and allows integer keys, as COSE keys need).
// Definite lengths only, as CTAP2's canonical form has them. Plain JavaScript, because the benchmark
// (bench/lib/passkey-login.mjs) runs the software authenticator on node alone. Types: cbor.d.ts.

/** @param {import('./cbor.js').CborValue} value */
export function encodeCbor(value) {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error(`CBOR: only integers, not ${value}`);
    return value >= 0 ? head(0, value) : head(1, -1 - value);
  }
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([head(3, bytes.length), bytes]);
  }
  if (value instanceof Uint8Array) return Buffer.concat([head(2, value.length), value]);
  if (Array.isArray(value)) return Buffer.concat([head(4, value.length), ...value.map(encodeCbor)]);
  const entries = [...value].flatMap(([k, v]) => [encodeCbor(k), encodeCbor(v)]);
  return Buffer.concat([head(5, value.size), ...entries]);
}

/** The initial byte of a major type with its argument (a length or the integer itself). */
function head(major, argument) {
  const type = major << 5;
  if (argument < 24) return Buffer.from([type | argument]);
  if (argument < 0x100) return Buffer.from([type | 24, argument]);
  if (argument < 0x10000) {
    const out = Buffer.alloc(3);
    out[0] = type | 25;
    out.writeUInt16BE(argument, 1);
    return out;
  }
  if (argument < 0x100000000) {
    const out = Buffer.alloc(5);
    out[0] = type | 26;
    out.writeUInt32BE(argument, 1);
    return out;
  }
  const out = Buffer.alloc(9);
  out[0] = type | 27;
  out.writeBigUInt64BE(BigInt(argument), 1);
  return out;
}
