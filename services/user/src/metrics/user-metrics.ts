import {
  Counter,
  createMetricsRegistry,
  EventContracts,
  type BusObserver,
  type Registry,
} from '@platform/common';
import type { ConsumerMetrics } from '../events/user-info-consumer.js';

/** The user service's metrics: its registry, what its consumer counts and what its bus reports. */
export interface UserMetrics {
  registry: Registry;
  consumer: ConsumerMetrics;
  /** Give it to the bus the service consumes from (its options' `observer`). */
  bus: BusObserver;
}

/** The label of a message type the contract does not know: types come off the wire, labels must not. */
const UNKNOWN_TYPE = 'unknown';

/** Counters of the events consumed, retried and dead-lettered; every known series starts at 0. */
export function createUserMetrics(
  registry: Registry = createMetricsRegistry(),
  eventTypes: readonly string[] = new EventContracts().eventTypes,
): UserMetrics {
  const registers = [registry];
  const consumed = new Counter({
    name: 'user_events_consumed_total',
    help: 'Events handled and committed by the consumer, by type and outcome (duplicate: already applied).',
    labelNames: ['type', 'outcome'] as const,
    registers,
  });
  const retried = new Counter({
    name: 'user_events_retried_total',
    help: 'Deliveries that failed and were given back for another attempt, by event type.',
    labelNames: ['type'] as const,
    registers,
  });
  const deadLettered = new Counter({
    name: 'user_events_dead_lettered_total',
    help: 'Events dead-lettered, by type and reason (invalid: can never succeed; exhausted: out of attempts).',
    labelNames: ['type', 'reason'] as const,
    registers,
  });
  const label = (type: string) => (eventTypes.includes(type) ? type : UNKNOWN_TYPE);

  for (const type of eventTypes) {
    for (const outcome of ['applied', 'duplicate']) consumed.inc({ type, outcome }, 0);
    retried.inc({ type }, 0);
  }
  for (const type of [...eventTypes, UNKNOWN_TYPE]) {
    for (const reason of ['invalid', 'exhausted']) deadLettered.inc({ type, reason }, 0);
  }

  return {
    registry,
    consumer: { consumed: (type, outcome) => consumed.inc({ type: label(type), outcome }) },
    bus: {
      retried: (type) => retried.inc({ type: label(type) }),
      deadLettered: (type, reason) => deadLettered.inc({ type: label(type), reason }),
    },
  };
}
