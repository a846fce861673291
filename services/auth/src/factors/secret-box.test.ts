import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseKeyring, SealedSecretError, SecretBox } from './secret-box.js';

const key = () => randomBytes(32);

describe('SecretBox', () => {
  const k1 = key();
  const k2 = key();
  const old = new SecretBox({ current: 'k1', keys: new Map([['k1', k1]]) });
  const rotated = new SecretBox({
    current: 'k2',
    keys: new Map([
      ['k1', k1],
      ['k2', k2],
    ]),
  });

  it('seals as v1.<kid>.<iv>.<ct+tag> and opens with the same additional data', () => {
    const sealed = old.seal('JBSWY3DPEHPK3PXP', 'totp:7');
    expect(sealed).toMatch(/^v1\.k1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    expect(old.open(sealed, 'totp:7')).toEqual({ plaintext: 'JBSWY3DPEHPK3PXP', stale: false });
  });

  it('uses a fresh IV each time', () => {
    expect(old.seal('same', 'a')).not.toBe(old.seal('same', 'a'));
  });

  it('refuses another account (additional data), a flipped bit and an unknown kid', () => {
    const sealed = old.seal('secret', 'totp:7');
    expect(() => old.open(sealed, 'totp:8')).toThrow(SealedSecretError);
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3]!, 'base64url');
    body[0]! ^= 1;
    parts[3] = body.toString('base64url');
    expect(() => old.open(parts.join('.'), 'totp:7')).toThrow(SealedSecretError);
    expect(() => old.open(rotated.seal('secret', 'totp:7'), 'totp:7')).toThrow(/no key/);
    expect(() => old.open('v2.k1.a.b', 'totp:7')).toThrow(SealedSecretError);
  });

  it('after a rotation opens values of the old key and reports them stale', () => {
    const sealed = old.seal('secret', 'totp:7');
    expect(rotated.open(sealed, 'totp:7')).toEqual({ plaintext: 'secret', stale: true });
    expect(rotated.open(rotated.seal('secret', 'totp:7'), 'totp:7').stale).toBe(false);
  });
});

describe('parseKeyring', () => {
  it('reads the current kid and base64 keys', () => {
    const ring = parseKeyring(
      JSON.stringify({
        current: 'b',
        keys: { a: key().toString('base64'), b: key().toString('base64') },
      }),
    );
    expect(ring.current).toBe('b');
    expect([...ring.keys.keys()]).toEqual(['a', 'b']);
  });

  it.each([
    ['not JSON', 'nope'],
    ['no current key', JSON.stringify({ current: 'x', keys: { a: key().toString('base64') } })],
    [
      'a short key',
      JSON.stringify({ current: 'a', keys: { a: randomBytes(16).toString('base64') } }),
    ],
    ['a bad kid', JSON.stringify({ current: 'a.b', keys: { 'a.b': key().toString('base64') } })],
    ['keys as a list', JSON.stringify({ current: 'a', keys: [key().toString('base64')] })],
  ])('refuses %s', (_what, raw) => {
    expect(() => parseKeyring(raw)).toThrow();
  });
});
