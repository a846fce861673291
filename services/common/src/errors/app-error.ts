/** One field-level problem in a request, as reported in a problem document's `errors`. */
export interface FieldError {
  field: string;
  message: string;
}

interface AppErrorInit {
  status: number;
  code: string;
  title: string;
  detail?: string;
  errors?: FieldError[];
  headers?: Record<string, string>;
  /** RFC 9457 extension members of the problem document (they never replace the standard ones). */
  extensions?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * The one error type that crosses layers. `code` is stable and becomes the problem `type`
 * (`urn:problem:<code>`); `title` is the same for every occurrence of a code, `detail` explains this one.
 */
export class AppError extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string | undefined;
  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string>;
  readonly extensions: Record<string, unknown> | undefined;

  constructor(init: AppErrorInit) {
    super(init.detail ?? init.title, { cause: init.cause });
    this.name = 'AppError';
    this.status = init.status;
    this.code = init.code;
    this.title = init.title;
    this.detail = init.detail;
    this.errors = init.errors;
    this.headers = init.headers ?? {};
    this.extensions = init.extensions;
  }
}

const bearer = (error: string, description: string) => ({
  'WWW-Authenticate': `Bearer error="${error}", error_description="${description}"`,
});

export const errors = {
  malformedBody: (detail = 'The request body is not valid JSON.') =>
    new AppError({ status: 400, code: 'malformed-body', title: 'Malformed request body', detail }),
  /** The path's percent-encoding is broken (`%ff`, a lone `%`): it names nothing. */
  malformedPath: () =>
    new AppError({
      status: 400,
      code: 'malformed-path',
      title: 'Malformed path',
      detail: 'The path is not valid percent-encoded UTF-8.',
    }),
  /** The client stopped sending its body before it was complete. */
  requestAborted: () =>
    new AppError({
      status: 400,
      code: 'request-aborted',
      title: 'Request aborted',
      detail: 'The request body ended before its declared length.',
    }),
  validation: (fieldErrors: FieldError[], detail = 'The request does not match the schema.') =>
    new AppError({
      status: 422,
      code: 'validation-failed',
      title: 'Validation failed',
      detail,
      errors: fieldErrors,
    }),
  /** A query parameter breaks the contract, or a paging cursor is not one this service gave out. */
  invalidQuery: (fieldErrors: FieldError[], detail = 'The query parameters are invalid.') =>
    new AppError({
      status: 400,
      code: 'invalid-query',
      title: 'Invalid query',
      detail,
      errors: fieldErrors,
    }),
  unsupportedMediaType: () =>
    new AppError({
      status: 415,
      code: 'unsupported-media-type',
      title: 'Unsupported media type',
      detail: 'Send the body as application/json.',
    }),
  payloadTooLarge: () =>
    new AppError({
      status: 413,
      code: 'payload-too-large',
      title: 'Payload too large',
      detail: 'The request body is larger than this service accepts.',
    }),
  /** A missing, malformed, expired, revoked or wrong-type token (RFC 6750 `invalid_token`). */
  invalidToken: (detail: string) =>
    new AppError({
      status: 401,
      code: 'invalid-token',
      title: 'Invalid token',
      detail,
      headers: bearer('invalid_token', detail),
    }),
  expiredToken: () =>
    new AppError({
      status: 401,
      code: 'token-expired',
      title: 'Token expired',
      detail: 'The token has expired.',
      headers: bearer('invalid_token', 'The token has expired.'),
    }),
  missingToken: () =>
    new AppError({
      status: 401,
      code: 'missing-token',
      title: 'Authentication required',
      detail: 'Send an access token as `Authorization: Bearer <token>`.',
      headers: { 'WWW-Authenticate': 'Bearer' },
    }),
  accountInactive: () =>
    new AppError({
      status: 403,
      code: 'account-inactive',
      title: 'Account deactivated',
      detail: 'This account has been deactivated.',
    }),
  forbidden: (detail: string) =>
    new AppError({ status: 403, code: 'forbidden', title: 'Forbidden', detail }),
  /** The operation's `x-required-aal` is above the caller's session's (a login without a second factor). */
  insufficientAal: (
    required: number,
    detail = `This operation needs a session proven with a second factor (aal ${required}); log in again with your second factor.`,
  ) =>
    new AppError({
      status: 403,
      code: 'insufficient-aal',
      title: 'Second factor required',
      detail,
      extensions: { required_aal: required },
    }),
  notFound: (detail: string) =>
    new AppError({ status: 404, code: 'not-found', title: 'Not found', detail }),
  methodNotAllowed: (detail: string, allowed: string[]) =>
    new AppError({
      status: 405,
      code: 'method-not-allowed',
      title: 'Method not allowed',
      detail,
      headers: { Allow: allowed.join(', ') },
    }),
  conflict: (detail: string, fieldErrors?: FieldError[]) =>
    new AppError({
      status: 409,
      code: 'conflict',
      title: 'Conflict',
      detail,
      ...(fieldErrors ? { errors: fieldErrors } : {}),
    }),
  /** A rate limit or a temporary lock; `Retry-After` says when to try again, in whole seconds. */
  tooManyRequests: (
    retryAfterSeconds: number,
    detail = 'Too many requests; try again after the time given in Retry-After.',
  ) =>
    new AppError({
      status: 429,
      code: 'too-many-requests',
      title: 'Too many requests',
      detail,
      headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
    }),
  unavailable: (detail: string, cause?: unknown) =>
    new AppError({
      status: 503,
      code: 'service-unavailable',
      title: 'Service unavailable',
      detail,
      headers: { 'Retry-After': '5' },
      cause,
    }),
  internal: (cause?: unknown) =>
    new AppError({
      status: 500,
      code: 'internal-error',
      title: 'Internal server error',
      detail: 'An unexpected error occurred. It has been logged under this request id.',
      cause,
    }),
};
