import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContractChecker } from '../../../test/support/contract.js';
import { ADMIN, ADMIN_ENV, logIn, register, withRole } from '../../../test/support/operators.js';
import { startStack, type Stack } from '../../../test/support/stack.js';

const contract = new ContractChecker('auth.yaml');
let stack: Stack;
let admin: { id: number; token: string };
let subjects = 7_000_000 + Math.floor(Math.random() * 1_000_000);

beforeAll(async () => {
  stack = await startStack(ADMIN_ENV);
  admin = await logIn(stack, ADMIN.login, ADMIN.password);
});
afterAll(async () => {
  await stack?.stop();
});

interface Record_ {
  id: number;
  action: string;
  user_id: number | null;
  actor_id: number | null;
  occurred_at: string;
}

const page = async (query: string, token = admin.token) => {
  const res = await stack.authApi.get(`/audit?${query}`, { token });
  contract.check('listAudit', res);
  return res;
};
const items = (res: { body: { items: Record_[] } }) => res.body.items;
const wrongPassword = async (login: string) => {
  const res = await stack.authApi.post('/login', { login, password: 'WrongPass123!' });
  expect(res.status).toBe(401);
};

/**
 * `count` audit records about a made-up account id, written straight into the table (inserting is
 * what the append-only table allows), one statement for both databases.
 */
async function seedRecords(count: number): Promise<number> {
  const userId = ++subjects;
  const at = stack.mode === 'infra' ? new Date().toISOString() : sqliteNow();
  await stack.authDb.query(
    `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
     INSERT INTO audit_log (occurred_at, action, outcome, reason, user_id, actor_id, login, ip,
                            request_id, details)
     SELECT ?, 'login', 'failure', 'wrong_password', ?, NULL, 'seeded', '10.0.0.1', 'seed', NULL
       FROM n`,
    [count, at, userId],
  );
  return userId;
}
const sqliteNow = () => new Date().toISOString().replace('T', ' ').replace('Z', '');

describe('GET /audit', () => {
  it('When an administrator filters by subject, actor, action and time, then only those records are listed, newest first', async () => {
    const start = new Date(Date.now() - 1000).toISOString();
    const account = await register(stack);
    const other = await register(stack);
    const grant = await stack.authApi.send('PUT', `/users/${account.id}/roles/support`, undefined, {
      token: admin.token,
    });
    expect(grant.status).toBe(200);
    await wrongPassword(account.login);
    const gone = await stack.authApi.post(`/account-delete/${other.id}`, undefined, {
      token: admin.token,
    });
    expect(gone.status).toBe(200);

    const about = items(await page(`user_id=${account.id}`));
    expect(about.map((r) => r.action)).toEqual(['login', 'role_granted']);
    expect(about.every((r) => r.user_id === account.id)).toBe(true);
    expect(about.map((r) => r.id)).toEqual([...about.map((r) => r.id)].sort((a, b) => b - a));

    const byAdmin = items(await page(`actor_id=${admin.id}&from=${encodeURIComponent(start)}`));
    expect(byAdmin.map((r) => [r.action, r.user_id])).toEqual([
      ['account_deactivated', other.id],
      ['role_granted', account.id],
    ]);
    expect(byAdmin.every((r) => r.actor_id === admin.id)).toBe(true);

    const grants = items(await page(`action=role_granted&user_id=${account.id}`));
    expect(grants).toHaveLength(1);
    expect(grants[0]).toMatchObject({ outcome: 'success', reason: 'support' });
    expect(items(await page(`user_id=${account.id}&to=${encodeURIComponent(start)}`))).toEqual([]);
  });

  it('When records are written while an administrator pages through, then none is listed twice and none that existed at the start is left out', async () => {
    const account = await register(stack);
    for (let i = 0; i < 6; i++) await wrongPassword(account.login);
    const existing = items(await page(`user_id=${account.id}&limit=200`)).map((r) => r.id);
    expect(existing).toHaveLength(6);

    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const [res]: [Awaited<ReturnType<typeof page>>, void] = await Promise.all([
        page(`user_id=${account.id}&limit=2${cursor ? `&cursor=${cursor}` : ''}`),
        wrongPassword(account.login),
      ]);
      seen.push(...items(res).map((r) => r.id));
      cursor = res.body.next_cursor;
      pages++;
    } while (cursor && pages < 30);
    expect(cursor).toBeNull();
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(existing));
    expect([...seen].sort((a, b) => b - a)).toEqual(seen);
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=500', 'limit'],
    ['actor_id=me', 'actor_id'],
    ['user_id=0', 'user_id'],
    ['action=hack', 'action'],
    ['from=yesterday', 'from'],
    ['to=2026-13-01T00:00:00Z', 'to'],
    ['cursor=%25%25%25', 'cursor'],
    [`cursor=${Buffer.from('{"l":"users","id":3}').toString('base64url')}`, 'cursor'],
  ])(
    'When the query is %s, then the answer is a 400 naming the parameter',
    async (query, field) => {
      const res = await page(query);
      expect(res.status).toBe(400);
      expect(res.body.type).toBe('urn:problem:invalid-query');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    },
  );

  it('When support staff or a plain user ask, then the answer is 403', async () => {
    const support = await withRole(stack, admin.token, 'support');
    expect((await page('limit=1', support.token)).status).toBe(403);
    expect((await page('limit=1', support.token)).body.type).toBe('urn:problem:forbidden');
    const user = await register(stack);
    expect((await page('limit=1', user.token)).status).toBe(403);
  });
});

describe('GET /audit/export', () => {
  const exportOf = (query: string, token = admin.token) =>
    fetch(`${stack.authApi.baseUrl}/audit/export?${query}`, {
      headers: { authorization: `Bearer ${token}` },
    });

  it('When an administrator exports thousands of records, then they come as NDJSON, oldest first, streamed in pieces', async () => {
    const userId = await seedRecords(5_000);
    const res = await exportOf(`user_id=${userId}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-ndjson');
    // Sent while it is read from the database: no length is known in advance.
    expect(res.headers.get('content-length')).toBeNull();

    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    let chunks = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks++;
      text += decoder.decode(value, { stream: true });
    }
    expect(chunks).toBeGreaterThan(1);
    const lines = text.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(5_000);
    const records = lines.map((line) => JSON.parse(line) as Record_);
    for (const record of [records[0], records[2_500], records[4_999]]) {
      contract.check('exportAudit', {
        status: 200,
        contentType: 'application/x-ndjson',
        body: record,
      });
    }
    expect(records.every((r) => r.user_id === userId && r.action === 'login')).toBe(true);
    const ids = records.map((r) => r.id);
    expect(new Set(ids).size).toBe(5_000);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
  }, 60_000);

  it('When nothing matches, then the export is empty; a bad filter is a 400 and support staff get 403', async () => {
    const empty = await exportOf(`user_id=${++subjects}`);
    expect(empty.status).toBe(200);
    expect(await empty.text()).toBe('');
    const bad = await exportOf('from=soon');
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    const support = await withRole(stack, admin.token, 'support');
    expect((await exportOf('', support.token)).status).toBe(403);
  });
});
