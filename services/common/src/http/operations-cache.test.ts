import { OpenAPIBackend, type Document } from 'openapi-backend';
import { describe, expect, it } from 'vitest';
import { memoizeOperations } from './operations-cache.js';

const definition: Document = {
  openapi: '3.0.3',
  info: { title: 'cache', version: '1' },
  paths: {
    '/items/{id}': {
      get: {
        operationId: 'getItem',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { 200: { description: 'ok' } },
      },
    },
  },
};

const request = { method: 'get', path: '/items/7', headers: {} };

describe("the router's operation list, built once", () => {
  it('When the router matches requests, then it gives the same operation object every time', () => {
    const api = new OpenAPIBackend({ definition, quick: true });
    api.init();
    // Unpatched, every match builds the list again (if an upgrade stops doing so, this is moot).
    expect(api.router.matchOperation(request)).not.toBe(api.router.matchOperation(request));
    memoizeOperations(api.router);
    const first = api.router.matchOperation(request);
    expect(first?.operationId).toBe('getItem');
    expect(api.router.matchOperation(request)).toBe(first);
  });

  it('When a request is handled, then routing goes through the list built once', async () => {
    const api = new OpenAPIBackend({ definition, quick: true });
    api.register('getItem', (c) => c.operation);
    api.init();
    memoizeOperations(api.router);
    const [cached] = api.router.getOperations();
    expect(await api.handleRequest(request)).toBe(cached);
  });
});
