import { AppError, errors, type FieldError } from './app-error.js';
import { isConnectionError } from '../data/db-errors.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  request_id?: string;
  errors?: FieldError[];
}

/** Maps anything thrown to an AppError: known errors keep their meaning, the rest become a generic 500. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const status = (err as { status?: unknown } | null)?.status;
  const type = (err as { type?: unknown } | null)?.type;
  // co-body (under koa-bodyparser) throws a SyntaxError with status 400 for unparsable JSON.
  if (
    status === 400 &&
    (err instanceof SyntaxError || (typeof type === 'string' && type.startsWith('entity.parse')))
  ) {
    return errors.malformedBody();
  }
  // raw-body (under co-body) when the client went away before sending its whole body.
  if (type === 'request.aborted') return errors.requestAborted();
  if (status === 413) return errors.payloadTooLarge();
  if (status === 415) return errors.unsupportedMediaType();
  if (isConnectionError(err)) return errors.unavailable('The database is unreachable.', err);
  return errors.internal(err);
}

export function problemBody(error: AppError, requestId?: string): ProblemBody {
  return {
    ...error.extensions,
    type: `urn:problem:${error.code}`,
    title: error.title,
    status: error.status,
    ...(error.detail === undefined ? {} : { detail: error.detail }),
    ...(requestId === undefined ? {} : { request_id: requestId }),
    ...(error.errors === undefined ? {} : { errors: error.errors }),
  };
}
