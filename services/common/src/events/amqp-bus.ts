import type { Channel, ChannelModel, ConfirmChannel, ConsumeMessage } from 'amqplib';
import type { Logger } from 'pino';
import { DEAD_LETTER_HEADERS, declareTopology, topology, type Topology } from './amqp-topology.js';
import { DeliveryPolicy, type DeliveryPolicyOptions } from './delivery-policy.js';
import type {
  BusObserver,
  DeadLetterKind,
  Delivery,
  EventBus,
  EventConsumer,
  EventMessage,
} from './event-bus.js';

export interface AmqpBusOptions extends DeliveryPolicyOptions {
  url: string;
  queue: string;
  logger: Logger;
  /** Unacknowledged deliveries per consumer. */
  prefetch?: number;
  /** Largest payload accepted; bigger messages are dead-lettered unread. */
  maxMessageBytes?: number;
  reconnect?: { initialMs: number; maxMs: number };
  onConnect?: () => void;
  /** Told of every redelivery after a failure and every dead letter (metrics). */
  observer?: BusObserver;
}

/** A dead letter as it is logged; `consumer` is absent when the message was refused unread. */
interface Letter {
  type: string;
  attempt: number;
  kind: DeadLetterKind;
  reason: string;
  consumer: string | undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The production event bus on RabbitMQ. Publishing uses a confirm channel and persistent messages;
 * `publish` resolves only when the broker has the message. The connection is re-established with
 * exponential backoff whenever it drops, and the consumer resumes where the broker left it.
 */
export class AmqpBus implements EventBus {
  private readonly t: Topology;
  private connection: ChannelModel | undefined;
  private publisher: ConfirmChannel | undefined;
  private consumerChannel: Channel | undefined;
  private readonly consumers: EventConsumer[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly closing = new AbortController();
  private connecting: Promise<void> | undefined;
  private attempt = 0;
  private readonly maxBytes: number;
  private readonly policy: DeliveryPolicy;

  constructor(private readonly opts: AmqpBusOptions) {
    this.t = topology(opts.queue);
    this.maxBytes = opts.maxMessageBytes ?? 64 * 1024;
    this.policy = new DeliveryPolicy(opts);
  }

  /** Starts connecting in the background; resolves at the first successful connection. */
  start(): Promise<void> {
    this.connecting ??= this.connectLoop();
    return this.connecting;
  }

  healthy(): boolean {
    return this.publisher !== undefined;
  }

  async publish(message: EventMessage): Promise<void> {
    const channel = this.publisher;
    if (!channel) throw new Error('The message broker is not connected.');
    const body = Buffer.from(JSON.stringify(message.payload));
    await new Promise<void>((resolve, reject) => {
      channel.sendToQueue(
        this.t.queue,
        body,
        {
          persistent: true,
          messageId: message.id,
          type: message.type,
          timestamp: Math.floor(message.timestamp.getTime() / 1000),
          contentType: 'application/json',
          headers: message.correlationId ? { correlation_id: message.correlationId } : {},
        },
        (err) =>
          err
            ? reject(err instanceof Error ? err : new Error('The broker refused the message.'))
            : resolve(),
      );
    });
  }

  async subscribe(consumer: EventConsumer): Promise<void> {
    this.consumers.push(consumer);
    if (this.connection) await this.startConsuming(this.connection);
  }

  async close(): Promise<void> {
    this.closing.abort();
    const channel = this.consumerChannel;
    this.consumerChannel = undefined;
    // Stop new deliveries, let the ones being handled finish (and ack), then close.
    await channel?.close().catch(() => undefined);
    await Promise.allSettled([...this.inFlight]);
    await this.connection?.close().catch(() => undefined);
    this.connection = undefined;
    this.publisher = undefined;
  }

  private async connectLoop(): Promise<void> {
    // A short cap: once the broker is back, events flow within about a second. The jitter keeps the
    // replicas of a deployment from reconnecting in step.
    const { initialMs, maxMs } = this.opts.reconnect ?? { initialMs: 100, maxMs: 1000 };
    for (;;) {
      if (this.closing.signal.aborted) return;
      try {
        await this.open();
        this.attempt = 0;
        return;
      } catch (err) {
        const delay = Math.round(
          Math.min(maxMs, initialMs * 2 ** this.attempt++) * (0.5 + Math.random() / 2),
        );
        this.opts.logger.warn(
          { err: (err as Error).message, retryInMs: delay },
          'broker connection failed',
        );
        await sleep(delay);
      }
    }
  }

  private async open(): Promise<void> {
    // Loaded here, not at start-up: the embedded default (in-process bus) never needs it.
    const { connect } = await import('amqplib');
    const connection = await connect(this.opts.url);
    connection.on('error', (err: Error) =>
      this.opts.logger.warn({ err: err.message }, 'broker connection error'),
    );
    connection.on('close', () => {
      this.connection = undefined;
      this.publisher = undefined;
      this.consumerChannel = undefined;
      if (this.closing.signal.aborted) return;
      this.opts.logger.warn('broker connection lost; reconnecting');
      this.connecting = this.connectLoop();
    });
    const publisher = await connection.createConfirmChannel();
    publisher.on('error', () => undefined);
    await declareTopology(publisher, this.t);
    this.connection = connection;
    this.publisher = publisher;
    if (this.consumers.length > 0) await this.startConsuming(connection);
    this.opts.logger.info({ queue: this.t.queue }, 'broker connected');
    this.opts.onConnect?.();
  }

  private async startConsuming(connection: ChannelModel): Promise<void> {
    if (this.consumerChannel) return;
    const channel = await connection.createChannel();
    channel.on('error', () => undefined);
    await channel.prefetch(this.opts.prefetch ?? 10);
    this.consumerChannel = channel;
    await channel.consume(this.t.queue, (msg) => {
      if (!msg) return;
      const work = this.onMessage(channel, msg).catch((err: unknown) =>
        this.opts.logger.error({ err }, 'message handling failed unexpectedly'),
      );
      this.inFlight.add(work);
      void work.finally(() => this.inFlight.delete(work));
    });
  }

  private async onMessage(channel: Channel, msg: ConsumeMessage): Promise<void> {
    const attempt = Number(msg.properties.headers?.['x-delivery-count'] ?? 0) + 1;
    let type = typeof msg.properties.type === 'string' ? msg.properties.type : 'unknown';
    const reject = (reason: string, kind: DeadLetterKind = 'invalid', consumer?: string) =>
      this.deadLetter(channel, msg, { type, attempt, kind, reason, consumer });
    if (msg.content.length > this.maxBytes)
      return reject(`payload of ${msg.content.length} bytes exceeds ${this.maxBytes}`);
    if (typeof msg.properties.messageId !== 'string' || msg.properties.messageId === '') {
      return reject('missing message_id');
    }
    // The consumer's idempotency key (AsyncAPI: a UUID); anything else can never be recorded.
    if (!UUID.test(msg.properties.messageId)) return reject('message_id is not a UUID');
    let payload: unknown;
    try {
      payload = JSON.parse(msg.content.toString('utf8'));
    } catch {
      return reject('payload is not valid JSON');
    }
    const correlationId = msg.properties.headers?.correlation_id;
    if (typeof msg.properties.type !== 'string') {
      type = String((payload as { event_type?: unknown } | null)?.event_type ?? 'unknown');
    }
    const delivery: Delivery = {
      id: msg.properties.messageId,
      type,
      timestamp: new Date(Number(msg.properties.timestamp ?? 0) * 1000),
      ...(typeof correlationId === 'string' ? { correlationId } : {}),
      payload,
      attempt,
    };
    const verdict = await this.policy.deliver(this.consumers, delivery, this.closing.signal);
    if (!verdict) return channel.ack(msg);
    if (verdict.action === 'dead-letter')
      return reject(verdict.reason, verdict.kind, verdict.consumer);
    // A redelivery: the broker counts it and may hand it to another replica.
    await sleep(verdict.delayMs);
    channel.nack(msg, false, true);
    this.opts.observer?.retried(type);
  }

  private async deadLetter(channel: Channel, msg: ConsumeMessage, letter: Letter): Promise<void> {
    const publisher = this.publisher;
    if (!publisher) {
      // No way to record the reason now; the message goes back and is judged again after reconnecting.
      channel.nack(msg, false, true);
      return;
    }
    await new Promise<void>((resolve, reject) => {
      publisher.sendToQueue(
        this.t.deadLetterQueue,
        msg.content,
        {
          ...msg.properties,
          persistent: true,
          headers: {
            ...msg.properties.headers,
            [DEAD_LETTER_HEADERS.reason]: letter.reason,
            [DEAD_LETTER_HEADERS.failedAt]: new Date().toISOString(),
            [DEAD_LETTER_HEADERS.attempts]: letter.attempt,
          },
        },
        (err) =>
          err
            ? reject(err instanceof Error ? err : new Error('dead-letter publish refused'))
            : resolve(),
      );
    });
    this.opts.logger.error(
      { messageId: msg.properties.messageId, ...letter },
      'event dead-lettered',
    );
    channel.ack(msg);
    this.opts.observer?.deadLettered(letter.type, letter.kind);
  }
}
