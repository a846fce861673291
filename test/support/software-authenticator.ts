import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { encodeCbor, type CborValue } from './cbor.js';

/** authenticatorData flags (WebAuthn §6.1). */
export const FLAGS = { UP: 0x01, UV: 0x04, BE: 0x08, BS: 0x10, AT: 0x40 } as const;

/** A passkey the authenticator holds: a P-256 key pair for one RP and one user handle. */
export interface HeldCredential {
  id: string;
  rpId: string;
  userHandle: string;
  privateKey: KeyObject;
  signCount: number;
}

/** What a ceremony may do differently from a well-behaved authenticator and browser. */
export interface CeremonyOptions {
  /** The origin the "browser" puts in clientDataJSON (the authenticator's own by default). */
  origin?: string;
  /** Whether the user was verified (the authenticator's setting by default). */
  userVerified?: boolean;
  /** The sign count to report instead of the next one (a cloned key reports an old count). */
  signCount?: number;
  /** This credential (by id), rather than the first the options allow. */
  credentialId?: string;
  /** The user handle to return instead of the stored one (null: none). */
  userHandle?: string | null;
}

const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();
const b64url = (data: Uint8Array) => Buffer.from(data).toString('base64url');

/**
 * A platform authenticator in the test process, as a browser and an authenticator together would
 * answer navigator.credentials.create() and .get(): ES256 keys from node:crypto, attestation `none`,
 * discoverable credentials, and a sign count that goes up by one per assertion (or stays 0 with
 * `countSignatures: false`, as synced passkeys do).
 */
export class SoftwareAuthenticator {
  readonly credentials: HeldCredential[] = [];

  constructor(
    private readonly opts: {
      origin: string;
      userVerification?: boolean;
      /** Backup eligible and backed up (BE, BS): a synced passkey. */
      backedUp?: boolean;
      countSignatures?: boolean;
    },
  ) {}

  create(
    options: PublicKeyCredentialCreationOptionsJSON,
    ceremony: CeremonyOptions = {},
  ): RegistrationResponseJSON {
    const rpId = options.rp.id ?? new URL(this.opts.origin).hostname;
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const coseKey = new Map<number, number | Uint8Array>([
      [1, 2], // kty: EC2
      [3, -7], // alg: ES256
      [-1, 1], // crv: P-256
      [-2, Buffer.from(jwk.x!, 'base64url')],
      [-3, Buffer.from(jwk.y!, 'base64url')],
    ]);
    const credentialId = randomBytes(32);
    const signCount = this.opts.countSignatures === false ? 0 : 1;
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(credentialId.length);
    const authData = Buffer.concat([
      this.header(rpId, FLAGS.AT, ceremony, signCount),
      Buffer.alloc(16), // AAGUID: none
      idLength,
      credentialId,
      encodeCbor(coseKey),
    ]);
    const attestationObject = encodeCbor(
      new Map<string, CborValue>([
        ['fmt', 'none'],
        ['attStmt', new Map<string, CborValue>()],
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
        clientDataJSON: this.clientData('webauthn.create', options.challenge, ceremony),
        attestationObject: b64url(attestationObject),
        transports: ['internal', 'hybrid'],
      },
    };
  }

  get(
    options: PublicKeyCredentialRequestOptionsJSON,
    ceremony: CeremonyOptions = {},
  ): AuthenticationResponseJSON {
    const rpId = options.rpId ?? new URL(this.opts.origin).hostname;
    const allowed = options.allowCredentials?.map((c) => c.id) ?? [];
    const credential = this.credentials.find(
      (c) =>
        c.rpId === rpId &&
        (ceremony.credentialId === undefined || c.id === ceremony.credentialId) &&
        (allowed.length === 0 || allowed.includes(c.id)),
    );
    if (!credential) throw new Error(`The authenticator holds no credential for ${rpId}`);
    if (this.opts.countSignatures !== false) credential.signCount++;
    const authData = this.header(rpId, 0, ceremony, ceremony.signCount ?? credential.signCount);
    const clientDataJSON = this.clientData('webauthn.get', options.challenge, ceremony);
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
  private header(rpId: string, extra: number, ceremony: CeremonyOptions, signCount: number) {
    const verified = ceremony.userVerified ?? this.opts.userVerification ?? true;
    let flags = FLAGS.UP | extra | (verified ? FLAGS.UV : 0);
    if (this.opts.backedUp) flags |= FLAGS.BE | FLAGS.BS;
    const count = Buffer.alloc(4);
    count.writeUInt32BE(signCount);
    return Buffer.concat([sha256(rpId), Buffer.from([flags]), count]);
  }

  private clientData(type: string, challenge: string, ceremony: CeremonyOptions): string {
    const origin = ceremony.origin ?? this.opts.origin;
    return b64url(Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false })));
  }
}
