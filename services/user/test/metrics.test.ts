import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshAuthId, registeredUser, registerPayload } from '../../../test/support/events.js';
import {
  metricValue,
  parseSamples,
  promtoolProblems,
  requireBinary,
  scrape,
} from '../../../test/support/metrics.js';
import { pollUntil, startStack, type Stack } from '../../../test/support/stack.js';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const metrics = () => scrape(stack.userApi.baseUrl);

const changes =
  (before: string, after: string) =>
  (name: string, labels = {}) =>
    (metricValue(after, name, labels) ?? 0) - (metricValue(before, name, labels) ?? 0);

/** Scrapes until `done` holds for the exposition (a duplicate copy on RabbitMQ may still be in flight). */
const scrapeUntil = async (done: (text: string) => boolean, what: string) => {
  let text = '';
  await pollUntil(
    async () => done((text = await metrics())),
    () =>
      `${what}; last scrape:\n${text
        .split('\n')
        .filter((l) => l.startsWith('user_'))
        .join('\n')}`,
    20_000,
    100,
  );
  return text;
};

describe('GET /metrics (user service)', () => {
  it('When events are applied, repeated and broken, then the consumer counters move under their labels', async () => {
    const before = await metrics();
    const user = await registeredUser(stack);
    const authId = freshAuthId();
    const id = await stack.publishRaw(registerPayload(authId));
    await stack.publishRaw(registerPayload(authId), { id });
    await stack.publishRaw({ event_type: 'Register', auth_id: 'not a number' });
    await stack.publishRaw({ event_type: 'Mystery', auth_id: 1 });
    await stack.drained();

    // On RabbitMQ a dead letter is in the DLQ a moment before its consumer counts it.
    const after = await scrapeUntil((text) => {
      const change = changes(before, text);
      return (
        change('user_events_consumed_total', { outcome: 'duplicate' }) >= 1 &&
        change('user_events_dead_lettered_total') >= 2
      );
    }, 'the duplicate delivery and the two dead letters were never all counted');
    const change = changes(before, after);
    expect({
      applied: change('user_events_consumed_total', { type: 'Register', outcome: 'applied' }),
      duplicate: change('user_events_consumed_total', { type: 'Register', outcome: 'duplicate' }),
    }).toEqual({ applied: 2, duplicate: 1 });
    expect({
      register: change('user_events_dead_lettered_total', { type: 'Register', reason: 'invalid' }),
      // A type off the wire that the contract does not know is counted, but not as a label of its own.
      unknown: change('user_events_dead_lettered_total', { type: 'unknown', reason: 'invalid' }),
      exhausted: change('user_events_dead_lettered_total', { reason: 'exhausted' }),
    }).toEqual({ register: 1, unknown: 1, exhausted: 0 });
    expect(parseSamples(after).some((s) => s.labels.type === 'Mystery')).toBe(false);
    expect(change('user_events_retried_total')).toBe(0);

    const profile = await stack.userApi.get('/profile', { token: user.access });
    expect(profile.status).toBe(200);
    const edit = await stack.userApi.patch(
      '/edit-bio',
      { bio: 'x'.repeat(501) },
      {
        token: user.access,
      },
    );
    expect(edit.status).toBe(422);
    const requests = changes(before, await metrics());
    const count = (method: string, route: string, status: string) =>
      requests('http_request_duration_seconds_count', { method, route, status });
    expect(count('GET', '/profile', '200')).toBe(1);
    expect(count('PATCH', '/edit-bio', '422')).toBe(1);
  });

  it('When /metrics is read, then it holds the user service and process metrics only', async () => {
    const text = await metrics();
    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(text).not.toMatch(/^auth_/m);
    const spec = await stack.userApi.get('/openapi.json');
    expect(Object.keys(spec.body.paths)).not.toContain('/metrics');
  });

  it.runIf(requireBinary('promtool'))(
    'When the exposition is linted by promtool, then it passes (but for the three allowed prom-client gauges)',
    async () => {
      expect(await promtoolProblems(await metrics())).toEqual([]);
    },
  );
});
