import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';
import type { AuthMetrics, PasswordOperation } from '../metrics/metrics.js';

export interface Argon2Params {
  memoryKiB: number;
  timeCost: number;
  parallelism: number;
  /** Hashes computed at once; the rest wait their turn (FIFO). */
  concurrency: number;
}

/**
 * argon2id hashing. The work runs on libuv's thread pool, so it does not block the event loop.
 * `verifyDecoy` spends the same time as a real check, so an unknown login cannot be told apart by timing.
 *
 * At most `concurrency` hashes run at once (one per core by default): more would not finish sooner,
 * each holds `memoryKiB` while it runs, and the pool's other threads stay free for the work that must
 * not queue behind a burst of logins (token signatures, log writes).
 */
export class PasswordHasher {
  private readonly options: argon2.HashOptions & { raw: false };
  private decoy: Promise<string>;
  private readonly gate: Gate;
  /** The parameters of a current hash as its PHC string holds them, sorted: `m=…,p=…,t=…`. */
  private readonly current: string;

  constructor(
    params: Argon2Params,
    private readonly metrics?: Pick<AuthMetrics, 'passwordHashed'>,
  ) {
    this.options = {
      type: argon2.argon2id,
      memoryCost: params.memoryKiB,
      timeCost: params.timeCost,
      parallelism: params.parallelism,
      raw: false,
    };
    this.current = sortedParams(
      `m=${params.memoryKiB},t=${params.timeCost},p=${params.parallelism}`,
    );
    this.gate = new Gate(params.concurrency);
    this.decoy = this.hash(randomBytes(24).toString('base64url'));
  }

  hash(password: string): Promise<string> {
    return this.timed('hash', () => argon2.hash(password, this.options));
  }

  async verify(hash: string, password: string): Promise<{ ok: boolean; needsRehash: boolean }> {
    // A malformed stored hash counts as a mismatch, not a server error.
    const ok = await this.timed('verify', () => argon2.verify(hash, password).catch(() => false));
    return { ok, needsRehash: ok && this.outdated(hash) };
  }

  /**
   * Whether a hash that verified was made with another type, version or cost: read from its PHC
   * string's first fields (`$argon2id$v=19$m=…,t=…,p=…$…`) instead of parsing it all once more.
   */
  private outdated(hash: string): boolean {
    const [, id, version, params] = hash.split('$', 4);
    return id !== 'argon2id' || version !== 'v=19' || sortedParams(params ?? '') !== this.current;
  }

  async verifyDecoy(password: string): Promise<void> {
    const decoy = await this.decoy;
    await this.timed('verify', () => argon2.verify(decoy, password).catch(() => false));
  }

  /** Times the work itself, not its wait for a turn. */
  private timed<T>(operation: PasswordOperation, work: () => Promise<T>): Promise<T> {
    return this.gate.run(async () => {
      const started = performance.now();
      try {
        return await work();
      } finally {
        this.metrics?.passwordHashed(operation, (performance.now() - started) / 1000);
      }
    });
  }
}

function sortedParams(params: string): string {
  return params.split(',').sort().join(',');
}

/** Runs at most `limit` tasks at once, the others in the order they came. */
export class Gate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((turn) => this.waiting.push(turn));
    else this.running++;
    try {
      return await task();
    } finally {
      // The slot passes straight to the next task, so `running` never drops below a waiting queue.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
