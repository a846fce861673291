// A platform authenticator in the calling process, for the passkey tests and the benchmark's passkey
// login (bench/lib/passkey-login.mjs). Plain JavaScript, because the benchmark runs on node alone.
// Types: software-authenticator.d.ts.
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { encodeCbor } from './cbor.js';

/** authenticatorData flags (WebAuthn §6.1). */
export const FLAGS = Object.freeze({ UP: 0x01, UV: 0x04, BE: 0x08, BS: 0x10, AT: 0x40 });

const sha256 = (data) => createHash('sha256').update(data).digest();
const b64url = (data) => Buffer.from(data).toString('base64url');

/**
 * As a browser and an authenticator together would answer navigator.credentials.create() and .get():
 * ES256 keys from node:crypto, attestation `none`, discoverable credentials, and a sign count that
 * goes up by one per assertion (or stays 0 with `countSignatures: false`, as synced passkeys do).
 */
export class SoftwareAuthenticator {
  #opts;

  /** @param {import('./software-authenticator.js').AuthenticatorOptions} opts */
  constructor(opts) {
    this.#opts = opts;
    /** @type {import('./software-authenticator.js').HeldCredential[]} */
    this.credentials = [];
  }

  create(options, ceremony = {}) {
    const rpId = options.rp.id ?? new URL(this.#opts.origin).hostname;
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const coseKey = new Map([
      [1, 2], // kty: EC2
      [3, -7], // alg: ES256
      [-1, 1], // crv: P-256
      [-2, Buffer.from(jwk.x, 'base64url')],
      [-3, Buffer.from(jwk.y, 'base64url')],
    ]);
    const credentialId = randomBytes(32);
    const signCount = this.#opts.countSignatures === false ? 0 : 1;
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(credentialId.length);
    const authData = Buffer.concat([
      this.#header(rpId, FLAGS.AT, ceremony, signCount),
      Buffer.alloc(16), // AAGUID: none
      idLength,
      credentialId,
      encodeCbor(coseKey),
    ]);
    const attestationObject = encodeCbor(
      new Map([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]),
    );
    const id = b64url(credentialId);
    this.credentials.push({ id, rpId, userHandle: options.user.id, privateKey, signCount });
    return {
      id,
      rawId: id,
      type: 'public-key',
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
      response: {
        clientDataJSON: this.#clientData('webauthn.create', options.challenge, ceremony),
        attestationObject: b64url(attestationObject),
        transports: ['internal', 'hybrid'],
      },
    };
  }

  get(options, ceremony = {}) {
    const rpId = options.rpId ?? new URL(this.#opts.origin).hostname;
    const allowed = options.allowCredentials?.map((c) => c.id) ?? [];
    const credential = this.credentials.find(
      (c) =>
        c.rpId === rpId &&
        (ceremony.credentialId === undefined || c.id === ceremony.credentialId) &&
        (allowed.length === 0 || allowed.includes(c.id)),
    );
    if (!credential) throw new Error(`The authenticator holds no credential for ${rpId}`);
    if (this.#opts.countSignatures !== false) credential.signCount++;
    const authData = this.#header(rpId, 0, ceremony, ceremony.signCount ?? credential.signCount);
    const clientDataJSON = this.#clientData('webauthn.get', options.challenge, ceremony);
    const signature = sign(
      'sha256',
      Buffer.concat([authData, sha256(Buffer.from(clientDataJSON, 'base64url'))]),
      { key: credential.privateKey, dsaEncoding: 'der' },
    );
    const userHandle =
      ceremony.userHandle === undefined ? credential.userHandle : ceremony.userHandle;
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key',
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
      response: {
        clientDataJSON,
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        ...(userHandle === null ? {} : { userHandle }),
      },
    };
  }

  /** rpIdHash, flags and the sign count: the start of every authenticatorData. */
  #header(rpId, extra, ceremony, signCount) {
    const verified = ceremony.userVerified ?? this.#opts.userVerification ?? true;
    let flags = FLAGS.UP | extra | (verified ? FLAGS.UV : 0);
    if (this.#opts.backedUp) flags |= FLAGS.BE | FLAGS.BS;
    const count = Buffer.alloc(4);
    count.writeUInt32BE(signCount);
    return Buffer.concat([sha256(rpId), Buffer.from([flags]), count]);
  }

  #clientData(type, challenge, ceremony) {
    const origin = ceremony.origin ?? this.#opts.origin;
    return b64url(Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false })));
  }
}
