import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDirectory } from '../../../bench/lib/seed-directory.mjs';
import { directorySearch } from '../src/operators/directory-repository.js';
import { ContractChecker } from '../../../test/support/contract.js';
import { POSTGRES_URL } from '../../../test/support/infra.js';
import { ADMIN, ADMIN_ENV, logIn, register, withRole } from '../../../test/support/operators.js';
import { startStack, type Stack } from '../../../test/support/stack.js';

const contract = new ContractChecker('auth.yaml');
let stack: Stack;
let admin: string;

beforeAll(async () => {
  stack = await startStack(ADMIN_ENV);
  admin = (await logIn(stack, ADMIN.login, ADMIN.password)).token;
});
afterAll(async () => {
  await stack?.stop();
});

/** A tag no other account's login or email starts with. */
const newTag = () => `t${randomBytes(4).toString('hex')}`;

const list = async (query: string, token = admin) => {
  const res = await stack.authApi.get(`/users?${query}`, { token });
  contract.check('listUsers', res);
  return res;
};
const ids = (res: { body: { items: { id: number }[] } }) => res.body.items.map((u) => u.id);

describe('GET /users', () => {
  it('When an operator searches by the start of a login or an email, then the accounts match regardless of case, in the order they were created', async () => {
    const tag = newTag();
    const byLogin = await register(stack, { login: `${tag}_Alice`, email: `a${tag}@example.com` });
    const byEmail = await register(stack, { login: `x${tag}`, email: `${tag}.bob@example.com` });
    await register(stack, { login: `y${tag}`, email: `y${tag}@example.com` });

    const res = await list(`q=${tag.toUpperCase()}`);
    expect(res.status).toBe(200);
    expect(ids(res)).toEqual([byLogin.id, byEmail.id]);
    expect(res.body.items[0]).toMatchObject({
      login: `${tag}_Alice`,
      email: `a${tag}@example.com`,
      is_active: true,
      email_verified: false,
      roles: ['user'],
    });
    expect(res.body.next_cursor).toBeNull();
    expect(ids(await list(`q=${tag}.b`))).toEqual([byEmail.id]);
  });

  it('When the query holds %, _ or \\, then each matches only itself', async () => {
    const tag = newTag();
    const percent = await register(stack, { login: `p${tag}`, email: `${tag}%x@example.com` });
    const anyChar = await register(stack, { login: `q${tag}`, email: `${tag}ax@example.com` });
    const underscore = await register(stack, { login: `${tag}_x`, email: `u${tag}@example.com` });
    await register(stack, { login: `${tag}bx`, email: `v${tag}@example.com` });

    expect(ids(await list(`q=${encodeURIComponent(`${tag}%`)}`))).toEqual([percent.id]);
    expect(ids(await list(`q=${encodeURIComponent(`${tag}_`)}`))).toEqual([underscore.id]);
    expect(ids(await list(`q=${encodeURIComponent(`${tag}\\`)}`))).toEqual([]);
    expect(ids(await list(`q=${tag}a`))).toEqual([anyChar.id]);
  });

  it('When an operator filters by status and role, then only those accounts are listed', async () => {
    const tag = newTag();
    const active = await register(stack, { email: `${tag}1@example.com` });
    const gone = await register(stack, { email: `${tag}2@example.com` });
    const helper = await withRole(stack, admin, 'support');
    const res = await stack.authApi.post(`/account-delete/${gone.id}`, undefined, { token: admin });
    expect(res.status).toBe(200);

    expect(ids(await list(`q=${tag}&status=active`))).toEqual([active.id]);
    expect(ids(await list(`q=${tag}&status=deactivated`))).toEqual([gone.id]);
    const support = await list('role=support&limit=200');
    expect(ids(support)).toContain(helper.id);
    expect(support.body.items.every((u: { roles: string[] }) => u.roles.includes('support'))).toBe(
      true,
    );
    expect(ids(await list(`q=${tag}&role=admin`))).toEqual([]);
  });

  it('When accounts are created while an operator pages through, then no account is listed twice and none that existed at the start is left out', async () => {
    const tag = newTag();
    const existing: number[] = [];
    for (let i = 0; i < 9; i++) {
      existing.push((await register(stack, { email: `${tag}${i}@example.com` })).id);
    }
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    let inserted = 0;
    do {
      const res = await list(`q=${tag}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      seen.push(...ids(res));
      cursor = res.body.next_cursor;
      // Between pages, and at once with the next page's request, more accounts match.
      if (inserted < 4) {
        await Promise.all([
          register(stack, { email: `${tag}new${inserted++}@example.com` }),
          register(stack, { email: `${tag}new${inserted++}@example.com` }),
        ]);
      }
      pages++;
    } while (cursor && pages < 20);
    expect(cursor).toBeNull();
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(existing));
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=201', 'limit'],
    ['limit=ten', 'limit'],
    ['status=gone', 'status'],
    ['role=root', 'role'],
    ['q=', 'q'],
    ['cursor=not-a-cursor', 'cursor'],
    [`cursor=${Buffer.from('{"l":"audit","id":3}').toString('base64url')}`, 'cursor'],
    [`cursor=${Buffer.from('{"l":"users","id":-3}').toString('base64url')}`, 'cursor'],
  ])(
    'When the query is %s, then the answer is a 400 naming the parameter',
    async (query, field) => {
      const res = await list(query);
      expect(res.status).toBe(400);
      expect(res.contentType).toContain('application/problem+json');
      expect(res.body.type).toBe('urn:problem:invalid-query');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    },
  );

  it('When a plain user or no one asks, then the answer is 403 or 401; support staff may search', async () => {
    const user = await register(stack);
    expect((await list('limit=1', user.token)).status).toBe(403);
    const anonymous = await stack.authApi.get('/users');
    contract.check('listUsers', anonymous);
    expect(anonymous.status).toBe(401);
    const support = await withRole(stack, admin, 'support');
    expect((await list(`q=${user.login}`, support.token)).body.items).toHaveLength(1);
  });

  it('When the search runs, then it reads the prefix indexes, not the whole table', async () => {
    const tag = newTag();
    const filter = { prefix: `${tag}ab`, limit: 51 };
    if (stack.mode === 'embedded') {
      const { text, params } = directorySearch({ pick: (c) => c.sqlite }, filter);
      const plan = (
        await stack.authDb.query<{ detail: string }>(`EXPLAIN QUERY PLAN ${text}`, params)
      ).rows
        .map((r) => r.detail)
        .join('\n');
      expect(plan).toContain('ux_auth_info_login_lower');
      expect(plan).toContain('ux_auth_info_email_lower');
      return;
    }
    // 100,000 accounts, then the plan of the statement the service prepares, generic as well as
    // custom: a prepared statement may be planned without its parameters' values.
    const database = (await stack.authDb.query<{ db: string }>('SELECT current_database() AS db'))
      .rows[0]!.db;
    const url = new URL(POSTGRES_URL);
    url.pathname = `/${database}`;
    const db = new pg.Client({ connectionString: url.toString() });
    await db.connect();
    try {
      await seedDirectory(db, 100_000, tag);
      const count = await db.query('SELECT count(*)::int AS n FROM auth_info');
      expect(count.rows[0].n).toBeGreaterThanOrEqual(100_000);
      const { text, params } = directorySearch({ pick: (c) => c.postgres }, filter);
      const planOf = async (mode: string) => {
        await db.query(`SET plan_cache_mode = ${mode}`);
        await db.query({ name: `directory_${mode}`, text: `EXPLAIN ${text}`, values: params });
        const rows = await db.query({
          name: `directory_${mode}`,
          text: `EXPLAIN ${text}`,
          values: params,
        });
        return rows.rows.map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN']).join('\n');
      };
      for (const mode of ['force_custom_plan', 'force_generic_plan']) {
        const plan = await planOf(mode);
        expect(plan, mode).not.toMatch(/Seq Scan on auth_info/);
        expect(plan, mode).toContain('ix_auth_info_login_prefix');
        expect(plan, mode).toContain('ix_auth_info_email_prefix');
      }
      const started = Date.now();
      const found = await list(`q=${tag}ab`);
      expect(found.status).toBe(200);
      expect(found.body.items.length).toBeGreaterThan(0);
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      await db.end();
    }
  }, 120_000);
});
