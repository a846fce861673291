import type { Logger } from '@platform/common';
import type { Store } from '../data/store.js';
import type { AuditTrail } from './audit.js';
import type { AuthMetrics } from './metrics.js';
import type { PasswordHasher } from './passwords.js';
import type { TokenService } from './tokens.js';

/** What the use cases need, built once in the composition root and passed in. */
export interface AuthDeps {
  store: Store;
  tokens: TokenService;
  passwords: PasswordHasher;
  /** Called after a commit that wrote events, so the relay publishes them at once. */
  eventsWritten: () => void;
  logger: Logger;
  metrics: AuthMetrics;
  audit: AuditTrail;
}

/** Who sent the request that started a use case: for rate limits, brute-force counters and the audit trail. */
export interface RequestContext {
  ip: string;
  requestId: string;
}
