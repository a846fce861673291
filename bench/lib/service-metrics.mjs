// The auth service's own mail figures from its GET /metrics (Prometheus text): the courier's
// deliveries (auth_mails_total) and the queue's depth (auth_mail_queue_pending, read from the
// database at scrape time), the cross-checks of what the SMTP sink saw.
import { expectStatus, request, sleep } from './http.mjs';
import { round } from './stats.mjs';

/** The samples of metric `name` in a Prometheus text exposition, each `{ labels, value }`. */
export function samplesOf(text, name) {
  const samples = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const labels = Object.fromEntries(
      [...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(([, k, v]) => [k, v]),
    );
    samples.push({ labels, value: Number(m[3]) });
  }
  return samples;
}

/** The courier's deliveries so far by outcome (every template), and the mails still queued. */
export async function mailFigures(authUrl) {
  const text = String(expectStatus(await request(`${authUrl}/metrics`), 200, 'GET /metrics'));
  const figures = { sent: 0, retried: 0, failed: 0 };
  for (const { labels, value } of samplesOf(text, 'auth_mails_total')) {
    figures[labels.outcome] = (figures[labels.outcome] ?? 0) + value;
  }
  return { ...figures, pending: samplesOf(text, 'auth_mail_queue_pending')[0]?.value ?? null };
}

/**
 * Waits until no mail is queued (the verification mails of the accounts registered so far); throws
 * when the queue has not shrunk for `idleMs`. Resolves with how many waited and for how long.
 */
export async function drainQueue(authUrl, { idleMs, signal }) {
  const start = performance.now();
  let first;
  let least = Infinity;
  let progress = start;
  while (!signal.aborted) {
    const { pending } = await mailFigures(authUrl);
    const now = performance.now();
    if (pending !== null) {
      first ??= pending;
      if (pending === 0) return { mails: first, seconds: round((now - start) / 1000, 2) };
      if (pending < least) [least, progress] = [pending, now];
    }
    if (now - progress > idleMs) {
      throw new Error(`the mail queue did not shrink for ${idleMs / 1000} s (${least} pending)`);
    }
    await sleep(200);
  }
  return { mails: first ?? null, seconds: null };
}

/** The deliveries counted since `before`, once `sent` has grown by `count` or after `timeoutMs`. */
export async function courierDelta(authUrl, before, count, timeoutMs) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const now = await mailFigures(authUrl);
    const delta = Object.fromEntries(
      ['sent', 'retried', 'failed'].map((k) => [k, now[k] - before[k]]),
    );
    if (delta.sent >= count || performance.now() > deadline) return delta;
    await sleep(100);
  }
}

/**
 * Scrapes the mail figures every `intervalMs` until `stop()`, which resolves with the samples, each
 * `{ at, pending, sent }` (`at` as performance.now(); scrapes without the queue's gauge left out).
 */
export function watchQueue(authUrl, intervalMs, signal) {
  const samples = [];
  let stopped = false;
  const watching = (async () => {
    while (!stopped && !signal.aborted) {
      const { pending, sent } = await mailFigures(authUrl);
      if (pending !== null) samples.push({ at: performance.now(), pending, sent });
      await sleep(intervalMs);
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await watching;
      return samples;
    },
  };
}
