// argon2id with the services' parameters, in this process: the bound of registration and login.
import { availableParallelism } from 'node:os';
import argon2 from 'argon2';
import { PASSWORD } from './accounts.mjs';
import { percentile } from './stats.mjs';

/** argon2id hashes or verifies per second, with `concurrency` operations in flight. */
export async function argon2Rate({ operation, params, seconds, concurrency, signal }) {
  const options = {
    type: argon2.argon2id,
    memoryCost: params.memoryKiB,
    timeCost: params.timeCost,
    parallelism: params.parallelism,
  };
  const hash = await argon2.hash(PASSWORD, options);
  const op =
    operation === 'verify'
      ? async () => {
          if (!(await argon2.verify(hash, PASSWORD))) throw new Error('argon2 verify failed');
        }
      : () => argon2.hash(PASSWORD, options);
  await Promise.all(Array.from({ length: concurrency }, op)); // warm-up
  let done = 0;
  const latencies = [];
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline && !signal.aborted) {
      const t = performance.now();
      await op();
      latencies.push(performance.now() - t);
      done++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    rate: done / elapsed,
    operations: done,
    seconds: elapsed,
    concurrency,
    cores: availableParallelism(),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}
