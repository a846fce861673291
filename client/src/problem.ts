// The services answer every error as RFC 9457 problem details (application/problem+json); the client
// gives them back as ProblemError, typed by the contracts' Problem schema.
import type { components } from './generated/auth-api.js';

export type Problem = components['schemas']['Problem'];
/** The answer of a login whose password is right and whose account has a second factor. */
export type MfaRequiredProblem = components['schemas']['MfaRequiredProblem'];

/** An answer that was not a success, with its problem details. */
export class ProblemError extends Error {
  override readonly name = 'ProblemError';

  constructor(
    readonly problem: Problem,
    readonly response?: Response,
  ) {
    super(`${problem.status} ${problem.title}${problem.detail ? `: ${problem.detail}` : ''}`);
  }

  get status(): number {
    return this.problem.status;
  }

  /**
   * The problem's code: its type URI's last segment (`urn:problem:challenge-required` →
   * `challenge-required`).
   */
  get code(): string {
    return this.problem.type.split(/[:/]/).pop() || this.problem.type;
  }
}

/**
 * The data of an openapi-fetch result, or its error thrown as a ProblemError: for callers that would
 * rather catch than check `error` after each call.
 */
export function unwrap<T, E>(result: { data?: T; error?: E; response: Response }): T {
  if (result.error !== undefined || !result.response.ok) {
    throw new ProblemError(asProblem(result.error, result.response), result.response);
  }
  return result.data as T;
}

/** The problem of a failed answer; one the server did not describe gets one made from its status. */
export function asProblem(body: unknown, response: Response): Problem {
  if (
    typeof body === 'object' &&
    body !== null &&
    typeof (body as Problem).type === 'string' &&
    typeof (body as Problem).status === 'number'
  ) {
    return body as Problem;
  }
  return {
    type: 'about:blank',
    title: response.statusText || `HTTP ${response.status}`,
    status: response.status,
  };
}

/**
 * The second step a login asks for: its `mfa_token` and `methods` when `error` is the 401
 * `mfa-required` of a right password (finish it with `completeMfa`), else undefined.
 */
export function mfaRequired(error: unknown): MfaRequiredProblem | undefined {
  if (!(error instanceof ProblemError) || error.code !== 'mfa-required') return undefined;
  const problem = error.problem as Partial<MfaRequiredProblem>;
  if (typeof problem.mfa_token !== 'string' || !Array.isArray(problem.methods)) return undefined;
  return problem as MfaRequiredProblem;
}
