import { parseArgs } from 'node:util';
import { connect, type GetMessage } from 'amqplib';
import { ConfigError, DEAD_LETTER_HEADERS, declareTopology, topology } from '@platform/common';
import { loadUserConfig } from '../config.js';

// npm run dlq -- list [--limit 100]
// npm run dlq -- requeue <message-id> [<message-id> ...] | --all
// Lists the dead-lettered events of AMQP_QUEUE's dead-letter queue, or moves chosen ones back to the
// queue (without their dead-letter headers) to be consumed again.
const usage = 'Usage: npm run dlq -- list [--limit N] | requeue <message-id>... | requeue --all';

try {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      limit: { type: 'string', default: '1000' },
      all: { type: 'boolean', default: false },
    },
  });
  const [command, ...ids] = positionals;
  if (
    (command !== 'list' && command !== 'requeue') ||
    (command === 'requeue' && !values.all && ids.length === 0)
  ) {
    console.error(usage);
    process.exit(2);
  }
  const config = loadUserConfig(process.env);
  if (!config.amqp) throw new ConfigError(['AMQP_URL is required: dead letters live in RabbitMQ']);
  const t = topology(config.amqp.queue);
  const connection = await connect(config.amqp.url);
  const channel = await connection.createConfirmChannel();
  await declareTopology(channel, t);

  // Everything taken stays unacknowledged until the end: what is not requeued returns to the DLQ on close.
  const messages: GetMessage[] = [];
  for (
    let msg = await channel.get(t.deadLetterQueue);
    msg;
    msg = await channel.get(t.deadLetterQueue)
  ) {
    messages.push(msg);
    if (messages.length >= Number(values.limit)) break;
  }
  const chosen = new Set(ids);
  let moved = 0;
  for (const msg of messages) {
    const headers = { ...msg.properties.headers } as Record<string, unknown>;
    const id = String(msg.properties.messageId ?? '(none)');
    if (command === 'list') {
      const body = msg.content.toString('utf8');
      console.log(
        [
          id,
          String(msg.properties.type ?? '-'),
          `reason: ${String(headers[DEAD_LETTER_HEADERS.reason] ?? headers['x-first-death-reason'] ?? 'unknown')}`,
          `at: ${String(headers[DEAD_LETTER_HEADERS.failedAt] ?? '-')}`,
          `attempts: ${String(headers[DEAD_LETTER_HEADERS.attempts] ?? '-')}`,
          body.length > 200 ? `${body.slice(0, 200)}…` : body,
        ].join('  '),
      );
      continue;
    }
    if (!values.all && !chosen.has(id)) continue;
    for (const name of [
      ...Object.values(DEAD_LETTER_HEADERS),
      'x-death',
      'x-first-death-exchange',
      'x-first-death-queue',
      'x-first-death-reason',
      'x-delivery-count',
    ]) {
      delete headers[name];
    }
    channel.sendToQueue(t.queue, msg.content, { ...msg.properties, headers, persistent: true });
    await channel.waitForConfirms();
    channel.ack(msg);
    moved++;
  }
  if (command === 'list')
    console.log(`${messages.length} dead-lettered message(s) in ${t.deadLetterQueue}`);
  else console.log(`moved ${moved} message(s) from ${t.deadLetterQueue} back to ${t.queue}`);
  // Closing the channel first flushes the acks; the unacknowledged rest returns to the DLQ.
  await channel.close();
  await connection.close();
} catch (err) {
  console.error(`dlq failed: ${err instanceof ConfigError ? err.message : String(err)}`);
  process.exit(1);
}
