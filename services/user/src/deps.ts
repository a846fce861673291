import type { Logger } from '@platform/common';
import type { JWTVerifyGetKey } from 'jose';
import type { Store } from './data/store.js';
import type { VerifiedTokens } from './sessions/verified-tokens.js';

export interface UserDeps {
  store: Store;
  /** The auth service's public keys, fetched from its JWKS and cached. */
  authKeys: JWTVerifyGetKey;
  token: { issuer: string; audience: string };
  verifiedTokens: VerifiedTokens;
  logger: Logger;
}
