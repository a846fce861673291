import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { Counter, Registry } from './metrics-registry.js';
import { registerScrapedGauges } from './scrape-gauges.js';

/** A logger whose lines the test can read. */
function recordingLogger() {
  const lines: { msg: string; gauges?: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as { msg: string; gauges?: string });
      done();
    },
  });
  return { logger: pino({ level: 'warn' }, sink), lines };
}

const sample = (text: string, name: string) =>
  text.split('\n').find((line) => line.startsWith(`${name} `));

describe('registerScrapedGauges', () => {
  it('When the read answers, then its gauges show the values read at scrape time, one read per scrape', async () => {
    const registry = new Registry();
    let reads = 0;
    registerScrapedGauges(
      registry,
      {
        name: 'queue',
        gauges: {
          size: { name: 'queue_size', help: 'h' },
          age: { name: 'queue_age_seconds', help: 'h' },
        },
        read: async () => ({ size: ++reads * 10, age: 1.5 }),
      },
      { timeoutMs: 1000, logger: recordingLogger().logger },
    );
    const first = await registry.metrics();
    expect([sample(first, 'queue_size'), sample(first, 'queue_age_seconds')]).toEqual([
      'queue_size 10',
      'queue_age_seconds 1.5',
    ]);
    expect(sample(await registry.metrics(), 'queue_size')).toBe('queue_size 20');
    expect(reads).toBe(2);
  });

  it('When the database hangs, then the scrape answers within the timeout without those gauges, logs it, and does not pile up reads', async () => {
    const registry = new Registry();
    new Counter({ name: 'other_total', help: 'h', registers: [registry] }).inc(3);
    const { logger, lines } = recordingLogger();
    let reads = 0;
    let release: (value: { size: number }) => void = () => undefined;
    registerScrapedGauges(
      registry,
      {
        name: 'blacklist',
        gauges: { size: { name: 'blacklist_size', help: 'h' } },
        // The first read hangs until released; later ones answer at once.
        read: () =>
          ++reads === 1
            ? new Promise<{ size: number }>((resolve) => (release = resolve))
            : Promise.resolve({ size: 7 }),
      },
      { timeoutMs: 50, logger },
    );
    const started = Date.now();
    const text = await registry.metrics();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(sample(text, 'other_total')).toBe('other_total 3');
    expect(sample(text, 'blacklist_size')).toBeUndefined();
    expect(lines).toEqual([
      expect.objectContaining({ gauges: 'blacklist', msg: expect.stringMatching(/left out/) }),
    ]);
    // The next scrape waits for the read still running instead of starting another one.
    await registry.metrics();
    expect(reads).toBe(1);
    release({ size: 1 });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(sample(await registry.metrics(), 'blacklist_size')).toBe('blacklist_size 7');
    expect(reads).toBe(2);
  });

  it('When the read fails, then the gauges are left out and the rest is reported', async () => {
    const registry = new Registry();
    new Counter({ name: 'other_total', help: 'h', registers: [registry] });
    const { logger, lines } = recordingLogger();
    registerScrapedGauges(
      registry,
      {
        name: 'outbox',
        gauges: { pending: { name: 'outbox_pending', help: 'h' } },
        read: () => Promise.reject(new Error('connect ECONNREFUSED')),
      },
      { timeoutMs: 1000, logger },
    );
    const text = await registry.metrics();
    expect(text).not.toMatch(/^outbox_pending /m);
    expect(text).toMatch(/^other_total 0$/m);
    expect(lines).toHaveLength(1);
  });
});
