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
});
