import type { Logger } from '@platform/common';
import type { Store } from '../data/store.js';
import { cleanup, type CleanupCounts } from './cleanup.js';
import type { AuthMetrics } from '../metrics/metrics.js';

export interface CleanupTimerOptions {
  store: Store;
  logger: Logger;
  /** Time from the end of one run to the start of the next. */
  intervalMs: number;
  /** Time from start() to the first run (default: at once, so a short-lived process still cleans up). */
  firstRunMs?: number;
  /** Called with each run's counts (tests). */
  onRun?: (deleted: CleanupCounts) => void;
  metrics?: Pick<AuthMetrics, 'cleanupRun'>;
}

/**
 * Runs the cleanup inside the service, where no CronJob does it (the embedded default). Runs never
 * overlap within a process, the timer never keeps the process alive, and stop() ends a run between
 * two batches.
 */
export class CleanupTimer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly abort = new AbortController();

  constructor(private readonly opts: CleanupTimerOptions) {}

  start(): void {
    this.schedule(this.opts.firstRunMs ?? 0);
  }

  async stop(): Promise<void> {
    this.abort.abort();
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.abort.signal.aborted) return;
    this.timer = setTimeout(() => {
      this.running = this.run().finally(() => {
        this.running = undefined;
        this.schedule(this.opts.intervalMs);
      });
    }, delayMs);
    this.timer.unref();
  }

  private async run(): Promise<void> {
    const started = Date.now();
    try {
      const deleted = await cleanup(this.opts.store, { signal: this.abort.signal });
      const total = Object.values(deleted).reduce((sum, n) => sum + n, 0);
      this.opts.logger[total > 0 ? 'info' : 'debug'](
        { deleted, durationMs: Date.now() - started },
        'cleanup done',
      );
      this.opts.metrics?.cleanupRun('success', deleted);
      this.opts.onRun?.(deleted);
    } catch (err) {
      this.opts.metrics?.cleanupRun('failure');
      this.opts.logger.warn({ err }, 'cleanup failed; it runs again at the next interval');
    }
  }
}
