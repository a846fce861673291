import type { Logger } from 'pino';

/**
 * Graceful shutdown on SIGTERM or SIGINT: `stop` stops taking work, finishes what is in flight and
 * closes connections; if it takes longer than the grace period the process exits anyway (non-zero),
 * so an orchestrator's own kill never has to. A second signal exits at once.
 */
export function onShutdown(opts: {
  logger: Logger;
  graceMs: number;
  stop: () => Promise<void>;
}): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      opts.logger.warn({ signal }, 'second signal; exiting now');
      process.exit(1);
    }
    stopping = true;
    const started = Date.now();
    opts.logger.info({ signal, graceMs: opts.graceMs }, 'shutting down');
    const timer = setTimeout(() => {
      opts.logger.error({ graceMs: opts.graceMs }, 'shutdown exceeded the grace period; exiting');
      process.exit(1);
    }, opts.graceMs);
    timer.unref();
    opts.stop().then(
      () => {
        opts.logger.info({ ms: Date.now() - started }, 'stopped');
        process.exit(0);
      },
      (err: unknown) => {
        opts.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}
