// Load generation from the benchmark process, bounded in time and in requests.
import http from 'node:http';
import autocannon from 'autocannon';
import { request } from './http.mjs';
import { latencySummary, round } from './stats.mjs';

/**
 * One autocannon run against one origin: `connections` keep-alive connections, one request in flight
 * on each, until `seconds` have passed or `maxRequests` were sent (whichever comes first), or `signal`
 * aborts. `requests` is autocannon's request list (setupRequest/onResponse for per-request bodies).
 */
export function runAutocannon({ url, connections, seconds, maxRequests, requests, signal }) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const onAbort = () => instance.stop();
    const instance = autocannon(
      {
        url,
        connections,
        pipelining: 1,
        duration: seconds,
        maxOverallRequests: maxRequests,
        timeout: 10,
        requests,
      },
      (err, result) => {
        signal.removeEventListener('abort', onAbort);
        if (err) return reject(err);
        const elapsed = (performance.now() - started) / 1000;
        const completed = result.requests.total;
        resolve({
          connections,
          seconds: round(elapsed, 2),
          requests: completed,
          rps: completed / elapsed,
          p50: result.latency.p50,
          p99: result.latency.p99,
          max: result.latency.max,
          errors: result.errors, // connection errors and timeouts
          timeouts: result.timeouts,
          non2xx: result.non2xx,
          statusCodes: Object.fromEntries(
            Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count]),
          ),
        });
      },
    );
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * A weighted mix of requests to several services. autocannon binds each connection to one origin,
 * and a mix of requests to two services can only keep its proportions if every virtual user may send
 * its next request to either; so this closed loop runs `connections` virtual users on keep-alive
 * connections (node:http), each picking its next request by weight.
 *
 * @param {{ kinds: { name: string, weight: number, next(): { url: string, method: string,
 *   body?: unknown, token?: string }, onResponse?(status: number, body: any): void }[],
 *   connections: number, seconds: number, maxRequests: number, signal: AbortSignal }} opts
 */
export async function runMix({ kinds, connections, seconds, maxRequests, signal }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const totalWeight = kinds.reduce((sum, k) => sum + k.weight, 0);
  const pick = () => {
    let r = Math.random() * totalWeight;
    for (const kind of kinds) if ((r -= kind.weight) < 0) return kind;
    return kinds[kinds.length - 1];
  };
  const stats = new Map(
    kinds.map((k) => [k.name, { latencies: [], statusCodes: {}, errors: 0, non2xx: 0 }]),
  );
  let sent = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const virtualUser = async () => {
    while (!signal.aborted && performance.now() < deadline && sent < maxRequests) {
      sent++;
      const kind = pick();
      const s = stats.get(kind.name);
      const { url, ...opts } = kind.next();
      const t0 = performance.now();
      try {
        const res = await request(url, { ...opts, agent });
        s.latencies.push(res.at - t0);
        s.statusCodes[res.status] = (s.statusCodes[res.status] ?? 0) + 1;
        if (res.status < 200 || res.status > 299) s.non2xx++;
        kind.onResponse?.(res.status, res.body);
      } catch {
        s.errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, virtualUser));
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  const summarize = (latencies, extra) => ({
    requests: latencies.length,
    rps: latencies.length / elapsed,
    ...latencySummary(latencies),
    ...extra,
  });
  const perKind = {};
  const all = [];
  const statusCodes = {};
  let errors = 0;
  let non2xx = 0;
  for (const [name, s] of stats) {
    all.push(...s.latencies);
    errors += s.errors;
    non2xx += s.non2xx;
    for (const [code, n] of Object.entries(s.statusCodes))
      statusCodes[code] = (statusCodes[code] ?? 0) + n;
    perKind[name] = summarize(s.latencies, {
      share: 0,
      errors: s.errors,
      non2xx: s.non2xx,
      statusCodes: s.statusCodes,
    });
  }
  const total = all.length;
  for (const k of Object.values(perKind)) k.share = total ? round(k.requests / total, 4) : 0;
  return {
    connections,
    seconds: round(elapsed, 2),
    ...summarize(all, { errors, timeouts: null, non2xx, statusCodes }),
    perKind,
  };
}
