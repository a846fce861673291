import type { Account } from '../../accounts/account-repository.js';
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
