// The service processes of a run: started with `node <entry>`, configured only by their environment,
// logs to a file; memory and CPU read from /proc (ps where there is no /proc). Health checks and
// stopping are the tests' (test/support/shared/processes.mjs).
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { stopChild, waitUntilHealthy } from '../../test/support/shared/processes.mjs';

/** Clock ticks per second of /proc/<pid>/stat's utime and stime. */
const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

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

/** Resident memory now and its peak (VmHWM) in MB (10^6 bytes), or nulls when the process is gone. */
export function memoryOf(pid) {
  const file = `/proc/${pid}/status`;
  if (existsSync(file)) {
    try {
      const text = readFileSync(file, 'utf8');
      const kib = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1]);
      return { rssMB: mb(kib('VmRSS')), peakRssMB: mb(kib('VmHWM')) };
    } catch {
      return { rssMB: null, peakRssMB: null };
    }
  }
  try {
    // No /proc (macOS): the current RSS only; the caller keeps the highest value it sampled.
    const kib = Number(
      execFileSync('ps', ['-o', 'rss=', '-p', String(pid)])
        .toString()
        .trim(),
    );
    return { rssMB: mb(kib), peakRssMB: null };
  } catch {
    return { rssMB: null, peakRssMB: null };
  }
}

/** CPU seconds (user + system) the process has used so far, or null. */
export function cpuSecondsOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at state, field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return null;
  }
}

const mb = (kib) => (Number.isFinite(kib) ? Math.round((kib * 1024) / 1e5) / 10 : null);

/** Busy CPU time of the whole machine so far, in seconds (every process, also other people's). */
export function machineBusySeconds() {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8')
      .split('\n')[0]
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    // user nice system idle iowait irq softirq steal ...
    const busy = cpu[0] + cpu[1] + cpu[2] + cpu[5] + cpu[6] + (cpu[7] ?? 0);
    return busy / CLK_TCK;
  } catch {
    return null;
  }
}
