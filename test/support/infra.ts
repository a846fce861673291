import * as shared from './shared/infra.mjs';

export { uniqueName } from './shared/infra.mjs';

/** The machine's Postgres and RabbitMQ, overridable for other set-ups. */
export const POSTGRES_URL =
  process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const AMQP_URL = process.env.TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

export function infraReachable(): Promise<{ postgres: boolean; rabbitmq: boolean }> {
  return shared.infraReachable(POSTGRES_URL, AMQP_URL);
}

/** Creates a fresh database and returns its URL and a way to drop it. */
export function createDatabase(
  prefix: string,
): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  return shared.createDatabase(POSTGRES_URL, prefix);
}

/** Deletes a test run's queues, exchange and dead-letter queue. */
export function deleteQueues(queue: string): Promise<void> {
  return shared.deleteQueues(AMQP_URL, queue);
}
