// Numbers of a run: rounding for the report and the JSON, percentiles of latencies.

/** `value` to `digits` decimals; null, undefined, NaN and infinities stay as they are (or null). */
export function round(value, digits) {
  if (value === null || value === undefined || !Number.isFinite(value)) return value ?? null;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** The p-th percentile (nearest rank) of an ascending array, or null when it is empty. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** p50, p99 and the maximum of latencies in ms, to 0.01 ms; sorts `latencies` in place. */
export function latencySummary(latencies) {
  latencies.sort((a, b) => a - b);
  return {
    p50: round(percentile(latencies, 50), 2),
    p99: round(percentile(latencies, 99), 2),
    max: round(latencies.at(-1) ?? null, 2),
  };
}

/** Cores used on average: CPU microseconds (process.cpuUsage) over `seconds` of wall time. */
export function cpuCores(usage, seconds) {
  return (usage.user + usage.system) / 1e6 / seconds;
}
