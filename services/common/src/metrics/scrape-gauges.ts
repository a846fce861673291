import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';

export interface ScrapedGaugeGroup<K extends string> {
  /** Names the group in the log line of a failed read. */
  name: string;
  gauges: Record<K, { name: string; help: string }>;
  /** One read for all the group's gauges, made when Prometheus scrapes. */
  read: () => Promise<Record<K, number>>;
}

/** A gauge that can be left out of a scrape: a sample that could not be read is missing, not stale. */
class OptionalGauge extends Gauge<string> {
  present = true;

  override async get() {
    const metric = await super.get();
    return this.present ? metric : { ...metric, values: [] };
  }
}

/**
 * Gauges read (from the database) at scrape time. The group's read is shared by its gauges, bounded by
 * `timeoutMs`, and never runs twice at once: a read still running from an earlier scrape that timed out
 * is waited for again, not repeated, so a hung database cannot pile up connections. When the read fails
 * or times out, the scrape still answers with everything else; this group's gauges are left out of it
 * and the failure is logged.
 */
export function registerScrapedGauges<K extends string>(
  registry: Registry,
  group: ScrapedGaugeGroup<K>,
  opts: { timeoutMs: number; logger: Logger },
): void {
  let running: Promise<Record<K, number>> | undefined;
  let scrape: Promise<Record<K, number> | undefined> | undefined;
  const readOnce = () => {
    scrape ??= (async () => {
      running ??= group.read().finally(() => (running = undefined));
      try {
        return await withTimeout(running, opts.timeoutMs);
      } catch (err) {
        opts.logger.warn(
          { err: err instanceof Error ? err.message : String(err), gauges: group.name },
          'metrics: reading gauges failed; they are left out of this scrape',
        );
        return undefined;
      }
    })().finally(() => (scrape = undefined));
    return scrape;
  };
  for (const [key, { name, help }] of Object.entries(group.gauges) as [
    K,
    { name: string; help: string },
  ][]) {
    const gauge: OptionalGauge = new OptionalGauge({
      name,
      help,
      registers: [registry],
      collect: async () => {
        const values = await readOnce();
        gauge.present = values !== undefined;
        if (values) gauge.set(values[key]);
      },
    });
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
