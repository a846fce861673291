// Types of infra.mjs, for the TypeScript tests.

export function uniqueName(prefix: string): string;

export function reachable(url: string, defaultPort: number): Promise<boolean>;

export function infraReachable(
  postgresUrl: string,
  amqpUrl: string,
): Promise<{ postgres: boolean; rabbitmq: boolean }>;

export function createDatabase(
  adminUrl: string,
  prefix: string,
): Promise<{ url: string; name: string; drop(): Promise<void> }>;

export function deleteQueues(amqpUrl: string, queue: string): Promise<void>;
