import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';
import type { AuthMetrics, PasswordOperation } from './metrics.js';

export interface Argon2Params {
  memoryKiB: number;
  timeCost: number;
  parallelism: number;
}

/**
 * argon2id hashing. The work runs on libuv's thread pool, so it does not block the event loop.
 * `verifyDecoy` spends the same time as a real check, so an unknown login cannot be told apart by timing.
 */
export class PasswordHasher {
  private readonly options: argon2.HashOptions & { raw: false };
  private decoy: Promise<string>;

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
    this.decoy = this.hash(randomBytes(24).toString('base64url'));
  }

  hash(password: string): Promise<string> {
    return this.timed('hash', () => argon2.hash(password, this.options));
  }

  async verify(hash: string, password: string): Promise<{ ok: boolean; needsRehash: boolean }> {
    // A malformed stored hash counts as a mismatch, not a server error.
    const ok = await this.timed('verify', () => argon2.verify(hash, password).catch(() => false));
    return { ok, needsRehash: ok && argon2.needsRehash(hash, this.options) };
  }

  async verifyDecoy(password: string): Promise<void> {
    const decoy = await this.decoy;
    await this.timed('verify', () => argon2.verify(decoy, password).catch(() => false));
  }

  private async timed<T>(operation: PasswordOperation, work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.metrics?.passwordHashed(operation, (performance.now() - started) / 1000);
    }
  }
}
