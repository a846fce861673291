import { ConfigError } from '@platform/common';

/** One line on why a command failed: a configuration error's list, an error's message or code. */
export function describeError(err: unknown): string {
  if (err instanceof ConfigError) return err.message;
  if (!(err instanceof Error)) return String(err);
  // A refused connection to a host with several addresses is an AggregateError without a message.
  const code = (err as { code?: unknown }).code;
  return err.message || (typeof code === 'string' ? code : err.name);
}
