import {
  connect,
  type Channel,
  type ChannelModel,
  type ConfirmChannel,
  type ConsumeMessage,
} from 'amqplib';
import type { Logger } from 'pino';
import { isConnectionError } from '../data/db-errors.js';
import { DEAD_LETTER_HEADERS, declareTopology, topology, type Topology } from './amqp-topology.js';
import {
  PermanentEventError,
  type BusObserver,
  type DeadLetterKind,
  type Delivery,
  type EventBus,
  type EventConsumer,
  type EventMessage,
} from './event-bus.js';

export interface AmqpBusOptions {
  url: string;
  queue: string;
  logger: Logger;
  /** Unacknowledged deliveries per consumer. */
  prefetch?: number;
  /** Deliveries of a failing message before the consumer dead-letters it with the error as reason. */
  maxAttempts?: number;
  /** Largest payload accepted; bigger messages are dead-lettered unread. */
  maxMessageBytes?: number;
  reconnect?: { initialMs: number; maxMs: number };
  /** How long a consumer waits in place for the database to return before giving the message back. */
  dependencyWaitMs?: number;
  onConnect?: () => void;
  /** Told of every redelivery after a failure and every dead letter (metrics). */
  observer?: BusObserver;
}

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
  private closing = false;
  private connecting: Promise<void> | undefined;
  private attempt = 0;
  private readonly maxAttempts: number;
  private readonly maxBytes: number;

  constructor(private readonly opts: AmqpBusOptions) {
    this.t = topology(opts.queue);
    this.maxAttempts = opts.maxAttempts ?? 5;
    this.maxBytes = opts.maxMessageBytes ?? 64 * 1024;
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
    this.closing = true;
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
    const { initialMs, maxMs } = this.opts.reconnect ?? { initialMs: 200, maxMs: 10_000 };
    for (;;) {
      if (this.closing) return;
      try {
        await this.open();
        this.attempt = 0;
        return;
      } catch (err) {
        const delay = Math.min(maxMs, initialMs * 2 ** this.attempt++);
        this.opts.logger.warn(
          { err: (err as Error).message, retryInMs: delay },
          'broker connection failed',
        );
        await sleep(delay);
      }
    }
  }

  private async open(): Promise<void> {
    const connection = await connect(this.opts.url);
    connection.on('error', (err: Error) =>
      this.opts.logger.warn({ err: err.message }, 'broker connection error'),
    );
    connection.on('close', () => {
      this.connection = undefined;
      this.publisher = undefined;
      this.consumerChannel = undefined;
      if (this.closing) return;
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
    const reject = (reason: string, kind: DeadLetterKind = 'invalid') =>
      this.deadLetter(channel, msg, reason, attempt, () =>
        this.opts.observer?.deadLettered(type, kind),
      );
    if (msg.content.length > this.maxBytes)
      return reject(`payload of ${msg.content.length} bytes exceeds ${this.maxBytes}`);
    if (typeof msg.properties.messageId !== 'string' || msg.properties.messageId === '') {
      return reject('missing message_id');
    }
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
    for (const consumer of this.consumers) {
      const outcome = await this.handleWithDependencyWait(consumer, delivery);
      if (outcome === 'ok') continue;
      const permanent = outcome instanceof PermanentEventError;
      if (permanent || attempt >= this.maxAttempts) {
        return reject(
          `${consumer.name}: ${outcome.message}${attempt >= this.maxAttempts ? ` (after ${attempt} attempts)` : ''}`,
          permanent ? 'invalid' : 'exhausted',
        );
      }
      this.opts.logger.warn(
        { messageId: delivery.id, attempt, reason: outcome.message },
        'event failed; redelivering',
      );
      await sleep(Math.min(5000, 100 * 2 ** attempt));
      channel.nack(msg, false, true);
      this.opts.observer?.retried(type);
      return;
    }
    channel.ack(msg);
  }

  /** Database outages are waited out in place (they are not the message's fault); other errors return. */
  private async handleWithDependencyWait(
    consumer: EventConsumer,
    delivery: Delivery,
  ): Promise<'ok' | Error> {
    const deadline = Date.now() + (this.opts.dependencyWaitMs ?? 60_000);
    for (let wait = 200; ; wait = Math.min(wait * 2, 5000)) {
      try {
        await consumer.handle(delivery);
        return 'ok';
      } catch (err) {
        const error = err instanceof Error ? err : new Error(String(err));
        if (!isConnectionError(err) || Date.now() + wait > deadline || this.closing) return error;
        this.opts.logger.warn(
          { messageId: delivery.id, reason: error.message },
          'database unavailable; waiting',
        );
        await sleep(wait);
      }
    }
  }

  private async deadLetter(
    channel: Channel,
    msg: ConsumeMessage,
    reason: string,
    attempt: number,
    onDeadLettered: () => void,
  ): Promise<void> {
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
            [DEAD_LETTER_HEADERS.reason]: reason,
            [DEAD_LETTER_HEADERS.failedAt]: new Date().toISOString(),
            [DEAD_LETTER_HEADERS.attempts]: attempt,
          },
        },
        (err) =>
          err
            ? reject(err instanceof Error ? err : new Error('dead-letter publish refused'))
            : resolve(),
      );
    });
    this.opts.logger.error({ messageId: msg.properties.messageId, reason }, 'event dead-lettered');
    channel.ack(msg);
    onDeadLettered();
  }
}
