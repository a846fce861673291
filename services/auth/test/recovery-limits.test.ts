import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ContractChecker } from '../../../test/support/contract.js';
import { useMailStack } from '../../../test/support/mail-stack.js';
import { newRegistration } from '../../../test/support/factories.js';

const contract = new ContractChecker('auth.yaml');
const ctx = useMailStack({ MAIL_RATE_PER_ADDRESS: '3' });

const forgot = async (email: string) => {
  const started = performance.now();
  const res = await ctx.stack.authApi.post('/password/forgot', { email });
  contract.check('forgotPassword', res);
  return { res, ms: performance.now() - started };
};

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

describe('forgot-password requests', () => {
  it('When one address is asked for too often, then it gets 429 with Retry-After, known or not', async () => {
    const known = newRegistration();
    expect((await ctx.stack.authApi.post('/register', known)).status).toBe(201);
    const unknown = `nobody_${randomBytes(4).toString('hex')}@example.com`;
    for (const email of [known.email, unknown]) {
      for (let i = 0; i < 3; i++) expect((await forgot(email)).res.status).toBe(202);
      const refused = (await forgot(email)).res;
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    }
  });

  it('When known and unknown addresses are asked for in turn, then their median times are within 10 % of each other', async () => {
    const known: string[] = [];
    for (let i = 0; i < 30; i++) {
      const registration = newRegistration();
      expect((await ctx.stack.authApi.post('/register', registration)).status).toBe(201);
      known.push(registration.email);
    }
    for (let i = 0; i < 5; i++)
      await forgot(`warmup_${i}_${randomBytes(3).toString('hex')}@example.com`);
    const times = { known: [] as number[], unknown: [] as number[] };
    for (let i = 0; i < known.length; i++) {
      const unknown = `nobody_${i}_${randomBytes(4).toString('hex')}@example.com`;
      // Interleaved, each pair in alternating order, so drift in the machine's speed hits both.
      const pair = i % 2 === 0 ? [known[i]!, unknown] : [unknown, known[i]!];
      for (const email of pair) {
        const { res, ms } = await forgot(email);
        expect(res.status).toBe(202);
        (email === unknown ? times.unknown : times.known).push(ms);
      }
    }
    const [k, u] = [median(times.known), median(times.unknown)];
    console.info(`forgot-password medians: known ${k.toFixed(2)} ms, unknown ${u.toFixed(2)} ms`);
    expect(Math.abs(k - u) / Math.max(k, u)).toBeLessThan(0.1);
  });
});
