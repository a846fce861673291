// What the processes of a run use: memory and CPU from /proc (ps where there is no /proc), and V8's
// share of a service's memory from its /metrics.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { request } from './http.mjs';
import { cpuCores, round } from './stats.mjs';

/** Clock ticks per second of /proc/<pid>/stat's utime and stime. */
const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

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

const mb = (kib) => (Number.isFinite(kib) ? Math.round((kib * 1024) / 1e5) / 10 : null);

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

/**
 * Starts counting CPU time: of this process, of the processes `pids` together, of the whole machine.
 * The function it returns gives each as cores over `seconds` of wall time, to 0.01.
 */
export function cpuMeter(pids = []) {
  const pids0 = pids.map(cpuSecondsOf);
  const client0 = process.cpuUsage();
  const machine0 = machineBusySeconds();
  return (seconds) => {
    const used = pids.reduce(
      (sum, pid, i) => sum + (cpuSecondsOf(pid) ?? NaN) - (pids0[i] ?? NaN),
      0,
    );
    return {
      clientCores: round(cpuCores(process.cpuUsage(client0), seconds), 2),
      processCores: round(used / seconds, 2),
      machineCores: round(((machineBusySeconds() ?? NaN) - (machine0 ?? NaN)) / seconds, 2),
    };
  };
}

/** A few of prom-client's process gauges from a service's /metrics, in MB, or null. */
export async function heapStats(baseUrl) {
  try {
    const res = await request(`${baseUrl}/metrics`, { timeoutMs: 5000 });
    if (res.status !== 200 || typeof res.body !== 'string') return null;
    const gauge = (name) => {
      const match = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+]+)`, 'm').exec(res.body);
      return match ? Math.round(Number(match[1]) / 1e5) / 10 : null;
    };
    return {
      residentMB: gauge('process_resident_memory_bytes'),
      heapTotalMB: gauge('nodejs_heap_size_total_bytes'),
      heapUsedMB: gauge('nodejs_heap_size_used_bytes'),
      externalMB: gauge('nodejs_external_memory_bytes'),
    };
  } catch {
    return null;
  }
}
