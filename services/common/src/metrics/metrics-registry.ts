import { collectDefaultMetrics, Registry } from 'prom-client';

// The services build their metrics from these, so prom-client stays a dependency of this package only.
export { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The metrics of one service instance, with the default process and Node.js metrics. One per service,
 * never the global registry: in the embedded default both services share a process, and each /metrics
 * shows its own service's metrics only (the process metrics appear in both).
 */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}
