import { AsyncResource } from 'node:async_hooks';
import type { Logger } from 'pino';

/** What one pass did: found nothing more to do, or stopped with work left (run again at once). */
export type PassResult = 'idle' | 'more';

export interface PollLoopOptions {
  /** For log lines. */
  name: string;
  /** One pass over the work; throwing counts as a failure and backs off. */
  pass: () => Promise<PassResult>;
  /** Fallback poll for work written by other processes; wake() makes it immediate. */
  pollMs: number;
  logger: Logger;
  /** The longest wait after failures (they back off 100 ms, 200 ms, ... up to it). */
  maxBackoffMs?: number;
}

/**
 * A background worker that runs passes one at a time: at once when woken (a wake during a pass runs
 * another right after it), every `pollMs` otherwise, with exponential backoff after failures. It
 * never keeps the process alive; stop() waits for the pass in progress.
 */
export class PollLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;
  private failures = 0;
  /**
   * The async context the loop was made in (start-up's). Passes run in it, not in that of whoever
   * woke the loop: woken by a request, they would otherwise inherit the request's database deadline
   * (withDatabaseDeadline), and every statement of every later pass would fail once it had passed.
   */
  private readonly scope = new AsyncResource('PollLoop');

  constructor(private readonly opts: PollLoopOptions) {}

  start(): void {
    this.stopped = false;
    this.wake();
  }

  /** Runs a pass now (or right after the current one). */
  wake(): void {
    this.scope.runInAsyncScope(() => this.wakeInScope());
  }

  private wakeInScope(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.running = this.run().finally(() => {
      this.running = undefined;
      if (this.stopped) return;
      if (this.again) {
        this.again = false;
        this.wake();
        return;
      }
      const backoff = Math.min(this.opts.maxBackoffMs ?? 10_000, 100 * 2 ** this.failures);
      this.timer = setTimeout(() => this.wake(), this.failures === 0 ? this.opts.pollMs : backoff);
      this.timer.unref();
    });
  }

  /** Waits for the pass in progress, then runs passes until one finds nothing more (tests, shutdown). */
  async flush(): Promise<void> {
    await this.running;
    while ((await this.opts.pass()) === 'more');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private async run(): Promise<void> {
    try {
      if ((await this.opts.pass()) === 'more') this.again = true;
      this.failures = 0;
    } catch (err) {
      this.failures++;
      this.opts.logger.warn(
        { err, worker: this.opts.name },
        `${this.opts.name} pass failed; will retry`,
      );
    }
  }
}
