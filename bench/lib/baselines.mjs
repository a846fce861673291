// The baselines that bound the scenarios: argon2id with the services' parameters, and the baseline
// servers of bench/baseline-server.mjs.
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import argon2 from 'argon2';
import { stopChild } from '../../test/support/shared/processes.mjs';

/** libuv's thread pool size in this process (argon2 runs there, in the services too). */
export function threadPoolSize(env) {
  const n = Number(env.UV_THREADPOOL_SIZE);
  return Number.isInteger(n) && n > 0 ? Math.min(n, 1024) : 4;
}

/**
 * argon2id computations the services run at once (their ARGON2_CONCURRENCY): one per core unless set.
 * The baseline runs as many: every core busy, which is the most this machine can do.
 */
export function argon2Concurrency(env) {
  const n = Number(env.ARGON2_CONCURRENCY);
  return Number.isInteger(n) && n > 0 ? n : availableParallelism();
}

/** argon2id hashes or verifies per second, with `concurrency` operations in flight. */
export async function argon2Rate({ operation, params, seconds, concurrency, signal }) {
  const options = {
    type: argon2.argon2id,
    memoryCost: params.memoryKiB,
    timeCost: params.timeCost,
    parallelism: params.parallelism,
  };
  const password = 'BenchPass123!';
  const hash = await argon2.hash(password, options);
  const op =
    operation === 'verify'
      ? async () => {
          if (!(await argon2.verify(hash, password))) throw new Error('argon2 verify failed');
        }
      : () => argon2.hash(password, options);
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

/** Starts bench/baseline-server.mjs in `mode`; resolves with its URL, tokens and stop(). */
export function startBaselineServer(root, mode, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'bench/baseline-server.mjs'), mode], {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`baseline server (${mode}) did not start in 20 s`));
    }, 20_000);
    child.once('exit', (code, sig) => {
      clearTimeout(timer);
      reject(new Error(`baseline server (${mode}) exited (${sig ?? code}) before it listened`));
    });
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const line = out.split('\n')[0];
      if (!out.includes('\n')) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      const { port, tokens } = JSON.parse(line);
      resolve({
        url: `http://127.0.0.1:${port}`,
        tokens,
        pid: child.pid,
        stop: () => stopChild(child, { killAfterMs: 5000 }),
      });
    });
  });
}

/** The p-th percentile (nearest rank) of an ascending array, or null when it is empty. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}
