// Service processes, as the tests (../processes.ts) and the benchmark (bench/lib/processes.mjs) run
// them: a free port to start one on, the wait until it answers its health URLs, and its stop. Each
// side spawns its own (the tests keep the output in memory, the benchmark writes a log file); plain
// JavaScript, because the benchmark runs on node alone. Types: processes.d.mts.
import net from 'node:net';

/** A free TCP port on 127.0.0.1. */
export async function freePort() {
  const [port] = await freePorts(1);
  return port;
}

/** `count` different free TCP ports on 127.0.0.1 (each held until all are found, so none repeats). */
export async function freePorts(count) {
  const servers = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = net.createServer();
      servers.push(server);
      await new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', resolve);
      });
    }
    return servers.map((server) => server.address().port);
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

/**
 * Polls each URL in turn until it answers 2xx, all within `timeoutMs`. Resolves with `healthy`, or
 * `exited` as soon as `exited()` is true, or `timeout` with the URL that did not answer in time.
 */
export async function waitUntilHealthy(urls, { exited, timeoutMs, intervalMs = 100 }) {
  const deadline = Date.now() + timeoutMs;
  for (const url of urls) {
    for (;;) {
      if (exited()) return { outcome: 'exited', url };
      if (await answers(url)) break;
      if (Date.now() > deadline) return { outcome: 'timeout', url };
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
  return { outcome: 'healthy' };
}

async function answers(url) {
  try {
    // A probe that hangs (a process stopped mid-start) must not outlast the deadline.
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false; // not listening yet
  }
}

/**
 * Sends `signal` (SIGTERM) and resolves with how the process ended; with `killAfterMs`, a process
 * still running by then gets SIGKILL. One that has already ended resolves at once.
 */
export function stopChild(child, { signal = 'SIGTERM', killAfterMs } = {}) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      return resolve({ code: child.exitCode, signal: child.signalCode });
    }
    const timer =
      killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.once('exit', (code, exitSignal) => {
      clearTimeout(timer);
      resolve({ code, signal: exitSignal });
    });
    child.kill(signal);
  });
}
