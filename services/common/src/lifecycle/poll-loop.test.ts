import { AsyncLocalStorage } from 'node:async_hooks';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { PollLoop } from './poll-loop.js';

describe('PollLoop', () => {
  it('When a request wakes it, then its passes (that one and the later ones) run outside the request context', async () => {
    const request = new AsyncLocalStorage<string>();
    const seen: (string | undefined)[] = [];
    let failing = true;
    const loop = new PollLoop({
      name: 'test',
      pollMs: 10,
      maxBackoffMs: 10,
      logger: pino({ level: 'silent' }),
      pass: async () => {
        seen.push(request.getStore());
        // A failure schedules the retry from inside the pass, as a backoff does in production.
        if (failing) {
          failing = false;
          throw new Error('transient');
        }
        return 'idle';
      },
    });
    loop.start();
    await loop.flush();
    seen.length = 0;
    request.run('a request', () => loop.wake());
    await new Promise((resolve) => setTimeout(resolve, 100));
    await loop.stop();
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(seen.filter((store) => store !== undefined)).toEqual([]);
  });
});
