import type { Account } from '../../accounts/account-repository.js';
import type { Passkey } from '../../passkeys/passkey-repository.js';
import type { TokenPair } from '../../sessions/tokens.js';

export const tokenPairBody = (pair: TokenPair) => ({
  access_token: { token: pair.access.token, token_id: pair.access.jti },
  refresh_token: { token: pair.refresh.token, token_id: pair.refresh.jti },
});

export const userBody = (account: Account) => ({
  id: account.id,
  login: account.login,
  email: account.email,
  is_active: account.isActive,
  email_verified: account.emailVerified,
  locale: account.locale,
});

/** A 202: taken in, with what happens next in words. */
export const accepted = (detail: string) => ({
  status: 202 as const,
  body: { status: 'accepted' as const, detail },
});

/** A passkey as the contract shows it (PasskeySchema). */
export const passkeyBody = (passkey: Passkey) => ({
  id: passkey.id,
  name: passkey.name,
  created_at: passkey.createdAt.toISOString(),
  last_used_at: passkey.lastUsedAt?.toISOString() ?? null,
  transports: passkey.transports,
  backed_up: passkey.backedUp,
  device_type: passkey.deviceType,
});
