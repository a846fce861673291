import type { OpenAPIRouter } from 'openapi-backend';

/**
 * openapi-backend's router rebuilds its list of operations, a copy of every operation object, each
 * time it matches a request, and a request is matched up to three times (the route label, the handler,
 * a 405's Allow header). The document never changes after init, so the list is built once. The router
 * has no option for it: this replaces its `getOperations` method, the one piece of openapi-backend
 * this project reaches into; operations-cache.test.ts fails if an upgrade changes what it relies on.
 */
export function memoizeOperations(router: OpenAPIRouter): void {
  if (typeof router.getOperations !== 'function') {
    throw new Error('openapi-backend no longer has OpenAPIRouter.getOperations()');
  }
  const operations = router.getOperations();
  router.getOperations = () => operations;
}
