/**
 * The event bus seen by both services. Delivery is at least once: a message may reach a consumer more
 * than once (after a crash, a reconnect or a retry), so consumers are idempotent by `id`.
 */
export interface EventMessage<P = unknown> {
  /** A UUID that identifies the message across retries; the consumer's idempotency key. */
  id: string;
  /** The event type; equals the payload's `event_type`. */
  type: string;
  timestamp: Date;
  /** The request id of the request that caused the event. */
  correlationId?: string;
  payload: P;
}

export interface Delivery<P = unknown> extends EventMessage<P> {
  /** 1 on first delivery, incremented on each redelivery. */
  attempt: number;
}

/** Thrown by a consumer for a message that can never succeed: it is dead-lettered at once. */
export class PermanentEventError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PermanentEventError';
  }
}

export interface EventConsumer {
  readonly name: string;
  /** Called once per delivery; resolves only after its effects are committed (then the bus acks). */
  handle(delivery: Delivery): Promise<void>;
}

/** Why a message was dead-lettered: it can never succeed, or it failed on every delivery it was given. */
export type DeadLetterKind = 'invalid' | 'exhausted';

/**
 * Told of the retry and dead-letter decisions a bus makes (for metrics). `type` is the message's type
 * as it arrived (`unknown` when it has none), so an observer that labels by it must bound its values.
 */
export interface BusObserver {
  /** A delivery failed and the message will be delivered again. */
  retried(type: string): void;
  deadLettered(type: string, kind: DeadLetterKind): void;
}

export interface DeadLetter {
  message: EventMessage;
  reason: string;
  deadLetteredAt: Date;
}

export interface EventBus {
  /** Resolves once the bus has taken responsibility for the message. */
  publish(message: EventMessage): Promise<void>;
  subscribe(consumer: EventConsumer): Promise<void>;
  /** Reachable and able to deliver (for readiness). */
  healthy(): boolean;
  close(): Promise<void>;
}
