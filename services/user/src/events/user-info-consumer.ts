import {
  EventContracts,
  isUniqueViolation,
  PermanentEventError,
  type Delivery,
  type EventConsumer,
  type Logger,
} from '@platform/common';
import type { Store } from '../data/store.js';
import {
  applyDeactivate,
  applyErased,
  applyReactivate,
  applyRegister,
} from '../profiles/account-events.js';
import { applySessionsRevoked } from '../sessions/session-events.js';

/** What the consumer counts; the Prometheus implementation is in metrics/user-metrics.ts. */
export interface ConsumerMetrics {
  consumed(type: string, outcome: 'applied' | 'duplicate'): void;
}

/**
 * Keeps profiles and revocations in step with the auth service. Each message is validated against its
 * AsyncAPI schema, then applied (profiles/account-events.ts, sessions/session-events.ts) and recorded
 * as processed in one transaction, so a redelivery changes nothing.
 */
export class UserInfoConsumer implements EventConsumer {
  readonly name = 'user-info';

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
    private readonly metrics: ConsumerMetrics,
    private readonly contracts = new EventContracts(),
  ) {}

  async handle(delivery: Delivery): Promise<void> {
    const event = this.contracts.parse(delivery.payload);
    if (event.event_type !== delivery.type) {
      throw new PermanentEventError(
        `message type "${delivery.type}" does not match event_type "${event.event_type}"`,
      );
    }
    const log = this.logger.child({
      messageId: delivery.id,
      type: event.event_type,
      correlationId: delivery.correlationId,
    });
    try {
      const applied = await this.store.transaction(async ({ profiles, revocations, erasure }) => {
        // One message per account at a time, so each sees what the one before it committed.
        await profiles.lockAccount(event.auth_id);
        if (!(await profiles.markProcessed(delivery.id, event.event_type))) return 'duplicate';
        switch (event.event_type) {
          case 'Register':
            return applyRegister(profiles, erasure, event);
          case 'Account Deactivate':
            return applyDeactivate(profiles, erasure, event);
          case 'Account Reactivate':
            return applyReactivate(profiles, event);
          case 'Sessions Revoked':
            return applySessionsRevoked(revocations, erasure, event);
          case 'Account Erased':
            return applyErased(erasure, event);
        }
      });
      log.info({ authId: event.auth_id, outcome: applied }, 'event applied');
      this.metrics.consumed(event.event_type, applied === 'duplicate' ? 'duplicate' : 'applied');
    } catch (err) {
      if (isUniqueViolation(err)) {
        log.info({ authId: event.auth_id }, 'event already applied by a concurrent delivery');
        this.metrics.consumed(event.event_type, 'duplicate');
        return;
      }
      throw err;
    }
  }
}
