import type { Repositories } from '../data/store.js';

/** A second factor as an operator sees it: its kind and when it was enrolled, never its secret. */
export interface EnrolledFactor {
  type: string;
  createdAt: Date;
}

/**
 * The second factors an account has enrolled. This service has none yet, so the list is empty; when
 * factors arrive, their repository answers here and the operator API shows them unchanged.
 */
export function factorsOf(_repos: Repositories, _userId: number): Promise<EnrolledFactor[]> {
  return Promise.resolve([]);
}
