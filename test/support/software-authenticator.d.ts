// Types of software-authenticator.js, for the TypeScript tests.
import type { KeyObject } from 'node:crypto';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';

/** authenticatorData flags (WebAuthn §6.1). */
export const FLAGS: Readonly<{ UP: 0x01; UV: 0x04; BE: 0x08; BS: 0x10; AT: 0x40 }>;

/** A passkey the authenticator holds: a P-256 key pair for one RP and one user handle. */
export interface HeldCredential {
  id: string;
  rpId: string;
  userHandle: string;
  privateKey: KeyObject;
  signCount: number;
}

export interface AuthenticatorOptions {
  /** The origin the "browser" puts in clientDataJSON. */
  origin: string;
  userVerification?: boolean;
  /** Backup eligible and backed up (BE, BS): a synced passkey. */
  backedUp?: boolean;
  countSignatures?: boolean;
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

export class SoftwareAuthenticator {
  readonly credentials: HeldCredential[];
  constructor(opts: AuthenticatorOptions);
  create(
    options: PublicKeyCredentialCreationOptionsJSON,
    ceremony?: CeremonyOptions,
  ): RegistrationResponseJSON;
  get(
    options: PublicKeyCredentialRequestOptionsJSON,
    ceremony?: CeremonyOptions,
  ): AuthenticationResponseJSON;
}
