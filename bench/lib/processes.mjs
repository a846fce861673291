// The processes a run starts, each `node <script>` configured only by its environment: the services
// (logs to a file, an exit before stop() reported as a crash) and the baseline servers of
// bench/baseline-server.mjs. Health checks and stopping are the tests' (test/support/shared).
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { stopChild, waitUntilHealthy } from '../../test/support/shared/processes.mjs';

/**
 * Starts `node <script>` and resolves once every URL in `healthUrls` answers 200 (60 s at most).
 * `onUnexpectedExit` is called when the process ends without stop() having been called.
 */
export async function startProcess({
  name,
  script,
  env,
  cwd,
  logFile,
  healthUrls,
  onUnexpectedExit,
}) {
  const fd = openSync(logFile, 'a');
  const child = spawn(process.execPath, [script], { cwd, env, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  let stopping = false;
  let exit;
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      resolve(exit);
      if (!stopping) onUnexpectedExit?.(name, exit);
    });
  });
  const logTail = (lines = 30) => {
    try {
      // The access log (one line per request at LOG_LEVEL=info) would hide what matters.
      return readFileSync(logFile, 'utf8')
        .trimEnd()
        .split('\n')
        .filter((line) => !line.includes('"msg":"request"'))
        .slice(-lines)
        .join('\n');
    } catch {
      return '(no log)';
    }
  };
  const service = {
    name,
    pid: child.pid,
    logFile,
    logTail,
    exited,
    get exit() {
      return exit;
    },
    /** Whether it ended before stop() was called. */
    get crashed() {
      return exit !== undefined && !stopping;
    },
    /** SIGTERM, then SIGKILL after `graceMs`; resolves with how it ended. */
    stop: async (graceMs = 15_000) => {
      stopping = true;
      return exit ?? (await stopChild(child, { killAfterMs: graceMs }));
    },
  };
  const health = await waitUntilHealthy(healthUrls, {
    exited: () => exit !== undefined,
    timeoutMs: 60_000,
  });
  if (health.outcome === 'exited') {
    throw new Error(`${name} exited during start-up (${describeExit(exit)}):\n${logTail()}`);
  }
  if (health.outcome === 'timeout') {
    await service.stop();
    throw new Error(`${name}: ${health.url} did not answer 200 within 60 s:\n${logTail()}`);
  }
  return service;
}

export function describeExit({ code, signal }) {
  return signal ? `signal ${signal}` : `exit code ${code}`;
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
      if (!out.includes('\n')) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      const { port, tokens } = JSON.parse(out.split('\n')[0]);
      resolve({
        url: `http://127.0.0.1:${port}`,
        tokens,
        pid: child.pid,
        stop: () => stopChild(child, { killAfterMs: 5000 }),
      });
    });
  });
}
