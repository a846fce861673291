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
