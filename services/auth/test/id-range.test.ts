import { loadOpenApi } from '@platform/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContractChecker } from '../../../test/support/contract.js';
import { startStack, type Stack } from '../../../test/support/stack.js';

// Every id the auth service keeps is a 32-bit integer column. An id past 2³¹ − 1 in a path or a
// query is no account, no passkey: the contract bounds it, so it is a validation error on both databases (on
// Postgres it used to reach the query and fail it, a 500).
const contract = new ContractChecker('auth.yaml');
const ADMIN = { login: 'admin', password: 'AdminPass123!' };
const TOO_BIG = 2 ** 31;
let stack: Stack;
let token: string;
let adminId: number;

beforeAll(async () => {
  stack = await startStack({
    ADMIN_LOGIN: ADMIN.login,
    ADMIN_EMAIL: 'admin@example.com',
    ADMIN_PASSWORD: ADMIN.password,
  });
  const login = await stack.authApi.post('/login', ADMIN);
  expect(login.status).toBe(200);
  token = login.body.token_pair.access_token.token;
  adminId = login.body.user.id;
});
afterAll(async () => {
  await stack?.stop();
});

interface Parameter {
  name: string;
  in: string;
  schema?: { type?: string; enum?: string[] };
  $ref?: string;
}

/** Each operation with an integer path or query parameter, once per such parameter. */
function integerParameters() {
  const doc = loadOpenApi('auth.yaml') as unknown as {
    paths: Record<string, Record<string, { operationId?: string; parameters?: Parameter[] }>>;
    components: { parameters: Record<string, Parameter> };
  };
  const resolve = (p: Parameter) =>
    p.$ref ? doc.components.parameters[p.$ref.split('/').pop()!]! : p;
  const cases: { operation: string; method: string; path: string; parameter: Parameter }[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const parameters = (op.parameters ?? []).map(resolve);
      for (const parameter of parameters) {
        if (parameter.schema?.type !== 'integer' || !['path', 'query'].includes(parameter.in))
          continue;
        // The other path parameters get values that exist.
        let url = path;
        for (const other of parameters.filter((p) => p.in === 'path' && p !== parameter)) {
          const value =
            other.schema?.enum?.[0] ??
            (other.schema?.type === 'integer' ? adminId : '00000000-0000-4000-8000-000000000000');
          url = url.replace(`{${other.name}}`, String(value));
        }
        url =
          parameter.in === 'path'
            ? url.replace(`{${parameter.name}}`, String(TOO_BIG))
            : `${url}?${parameter.name}=${TOO_BIG}`;
        cases.push({
          operation: op.operationId!,
          method: method.toUpperCase(),
          path: url,
          parameter,
        });
      }
    }
  }
  return cases;
}

describe('ids past 32 bits', () => {
  it('When an id past 2^31 - 1 is sent in any path or query, then the answer names it as invalid (422 in a path, 400 in a query), never a 500', async () => {
    const cases = integerParameters().filter(({ parameter }) => parameter.name.endsWith('_id'));
    // The user, passkey, audit actor and audit subject ids at least.
    expect(cases.length).toBeGreaterThanOrEqual(10);
    for (const c of cases) {
      const body = ['POST', 'PUT', 'PATCH'].includes(c.method) ? {} : undefined;
      const res = await stack.authApi.send(c.method, c.path, body, { token });
      contract.check(c.operation, res);
      expect({ operation: c.operation, status: res.status }).toEqual({
        operation: c.operation,
        status: c.parameter.in === 'path' ? 422 : 400,
      });
      expect(res.body.errors).toContainEqual({
        field: c.parameter.name,
        message: 'must be at most 2147483647',
      });
    }
  });

  it('When a paging cursor carries an id past 2^31 - 1, then the listing answers 400 naming the cursor, never 500', async () => {
    for (const [path, listing] of [
      ['/audit', 'audit'],
      ['/users', 'users'],
    ] as const) {
      const cursor = Buffer.from(JSON.stringify({ l: listing, id: TOO_BIG })).toString('base64url');
      const res = await stack.authApi.get(`${path}?cursor=${cursor}`, { token });
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
      expect(res.body.errors).toContainEqual(expect.objectContaining({ field: 'cursor' }));
    }
  });
});
