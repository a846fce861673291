// Mail through the courier, to the benchmark's SMTP sink (bench/lib/smtp-sink.mjs), for the seeded
// accounts (active ones: a reset mail is queued for each forgot-password request). First the queue is
// left to drain (the verification mails of every account registered so far), so that from then on
// every mail to a seeded address is a reset mail. Then:
// - latency, one sample at a time: POST /password/forgot answered → the reset mail for that address
//   accepted by the sink (its own arrival time). The resolver polls password_reset_requests every
//   250 ms on its own schedule (a request never wakes it), so a sample is the wait for the next poll
//   (0–250 ms) plus resolving the request and the courier's delivery. Each request waits 0–250 ms at
//   random first: sent right after the previous mail, every request would land at the same point of
//   the poll's cycle and every sample would read ~250 ms, whatever the delivery took;
// - throughput: `mailBatch` forgot requests at once (the seeded accounts in turn), and the mails per
//   second the sink accepts from the first of their mails to the last; with the queue's depth scraped
//   meanwhile, also from the moment all of them are queued (the resolver done: the courier alone). The
//   courier's own counter (auth_mails_total) is the cross-check. A lost mail is an error of the run;
//   slowness is not.
import { expectStatus, request, sleep } from './http.mjs';
import { courierDelta, drainQueue, mailFigures, watchQueue } from './service-metrics.mjs';
import { latencySummary, round } from './stats.mjs';

/** The resolver's schedule (RESET_REQUEST_POLL_MS in services/auth/src/service.ts). */
const POLL_MS = 250;
/** How long without a new mail before the missing ones count as lost. */
const LATENCY_TIMEOUT_MS = 10_000;
const BATCH_IDLE_MS = 30_000;
/** Forgot-password requests in flight at once while the batch is queued. */
const BATCH_CONCURRENCY = 16;
/** How often the queue's depth is scraped during the batch. */
const WATCH_MS = 200;

export async function measureMail({ config, life, log, results, sink, state }) {
  const { settings } = config;
  const run = { state, sink, signal: life.signal };
  log('mail: waiting for the mail queue to drain');
  const queuedBefore = await drainQueue(state.authUrl, {
    idleMs: BATCH_IDLE_MS,
    signal: life.signal,
  });
  life.checkAborted();
  log(
    `mail latency (forgot password → mail accepted): ${settings.mailSamples} samples, one at a time`,
  );
  const latency = await sampleLatency(run, settings.mailSamples);
  life.checkAborted();
  log(`mail throughput: ${settings.mailBatch} forgot-password requests at once`);
  const throughput = await measureBatch(run, settings.mailBatch);
  life.checkAborted();
  if (latency.failures.length > 0) {
    results.failures.push(
      `mail latency: ${latency.failures.length} samples failed (first: ${latency.failures[0]})`,
    );
  }
  if (throughput.lost > 0) {
    results.failures.push(
      `mail throughput: ${throughput.lost} of ${throughput.mails} reset mails never arrived`,
    );
  }
  if (throughput.courier.sent !== throughput.accepted) {
    results.failures.push(
      `mail throughput: the courier counted ${throughput.courier.sent} mails sent, the SMTP sink accepted ${throughput.accepted}`,
    );
  }
  return { queuedBefore, latency, throughput };
}

/** POST /password/forgot for `email`; resolves with when it was answered (202). */
async function forgot(authUrl, email) {
  const res = await request(`${authUrl}/password/forgot`, { method: 'POST', body: { email } });
  expectStatus(res, 202, 'POST /password/forgot');
  return res.at;
}

/** One sample at a time, the seeded accounts in turn; more than ten failures end the series. */
async function sampleLatency({ state, sink, signal }, count) {
  const latencies = [];
  const failures = [];
  for (let i = 0; i < count && !signal.aborted; i++) {
    const { email } = state.accounts[i % state.accounts.length];
    try {
      await sleep(Math.random() * POLL_MS);
      const from = sink.count();
      const answeredAt = await forgot(state.authUrl, email);
      const idleMs = LATENCY_TIMEOUT_MS;
      const got = await sink.collect((m) => m.to.includes(email), 1, { from, idleMs, signal });
      if (signal.aborted) break;
      if (!got.complete) throw new Error(`no reset mail to ${email} within ${idleMs} ms`);
      latencies.push(got.mails[0].at - answeredAt);
    } catch (err) {
      failures.push(err.message);
      if (failures.length > 10) break;
    }
  }
  const min = latencies.length > 0 ? Math.min(...latencies) : null;
  return { samples: latencies.length, ...latencySummary(latencies), min: round(min, 2), failures };
}

/** `count` forgot-password requests at once, then their mails as the sink accepts them. */
async function measureBatch({ state, sink, signal }, count) {
  const seeded = new Set(state.accounts.map((a) => a.email));
  // The courier counts a mail once it has recorded it as sent, after the sink accepted it: the last
  // latency sample's mail is counted only once the queue shows it no longer waiting.
  await drainQueue(state.authUrl, { idleMs: BATCH_IDLE_MS, signal });
  const before = await mailFigures(state.authUrl);
  const from = sink.count();
  const start = performance.now();
  const watch = watchQueue(state.authUrl, WATCH_MS, signal);
  let next = 0;
  const worker = async () => {
    while (next < count && !signal.aborted) {
      await forgot(state.authUrl, state.accounts[next++ % state.accounts.length].email);
    }
  };
  await Promise.all(Array.from({ length: Math.min(BATCH_CONCURRENCY, count) }, worker));
  const answered = performance.now();
  const { mails } = await sink.collect((m) => m.to.some((to) => seeded.has(to)), count, {
    from,
    idleMs: BATCH_IDLE_MS,
    signal,
  });
  const queue = await watch.stop();
  const courier = await courierDelta(state.authUrl, before, mails.length, 10_000);
  const first = mails[0]?.at ?? NaN;
  const last = mails.at(-1)?.at ?? NaN;
  // Once every mail of the batch is queued (waiting or sent), the courier alone sets the pace.
  const allQueuedAt = queue.find((q) => q.pending + q.sent - before.sent >= count)?.at ?? NaN;
  const afterwards = mails.filter((m) => m.at > allQueuedAt).length;
  return {
    mails: count,
    accepted: mails.length,
    lost: count - mails.length,
    requestsSeconds: round((answered - start) / 1000, 3),
    firstMailMs: round(first - start, 1),
    seconds: round((last - first) / 1000, 3),
    mailsPerSecond:
      mails.length > 1 ? round((mails.length - 1) / ((last - first) / 1000), 1) : null,
    endToEndMailsPerSecond: round(mails.length / ((last - start) / 1000), 1),
    allQueuedMs: round(allQueuedAt - start, 0),
    maxPending: queue.length > 0 ? Math.max(...queue.map((q) => q.pending)) : null,
    drainMailsPerSecond:
      afterwards >= 10 ? round(afterwards / ((last - allQueuedAt) / 1000), 1) : null,
    courier,
  };
}
