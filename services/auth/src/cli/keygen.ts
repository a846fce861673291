import { parseArgs } from 'node:util';
import { generatePrivateJwk, isPrivateJwk } from '../sessions/signing-keys.js';

// npm run keygen [-- --kid <kid>] [--keep '<current JWT_PRIVATE_KEYS>']
// Prints a JWT_PRIVATE_KEYS value with a new Ed25519 signing key first. With --keep, the current keys
// follow it, so tokens they signed keep verifying until they expire (key rotation).
const { values } = parseArgs({ options: { kid: { type: 'string' }, keep: { type: 'string' } } });
const kept: unknown[] = values.keep ? (JSON.parse(values.keep) as unknown[]) : [];
if (!Array.isArray(kept) || !kept.every(isPrivateJwk)) {
  console.error('--keep must be the current JWT_PRIVATE_KEYS value (a JSON array of private JWKs)');
  process.exit(2);
}
const key = await generatePrivateJwk(values.kid ?? `key-${new Date().toISOString().slice(0, 10)}`);
console.error(`New signing key ${key.kid}; keep this value secret.`);
console.log(`JWT_PRIVATE_KEYS='${JSON.stringify([key, ...kept])}'`);
