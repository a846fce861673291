// Types that tie handlers to the operations generated from an OpenAPI file: a missing handler, an
// extra one, a wrong body or a wrong status is a compile error.

type JsonContent<R> = R extends { content: { 'application/json': infer B } }
  ? B
  : R extends { content: { 'application/x-ndjson': unknown } }
    ? NdjsonStream
    : undefined;

/** The body of an `application/x-ndjson` response: one JSON document per line, sent as it is produced. */
export type NdjsonStream = AsyncIterable<string>;
type SuccessStatus<Op> = Op extends { responses: infer R }
  ? Extract<keyof R, 200 | 201 | 202 | 204>
  : never;
type ResponseOf<Op, S> = Op extends { responses: infer R }
  ? S extends keyof R
    ? R[S]
    : never
  : never;

export type RequestBodyOf<Op> = Op extends { requestBody: infer R }
  ? JsonContent<R>
  : Op extends { requestBody?: infer R }
    ? JsonContent<NonNullable<R>> | undefined
    : undefined;

export type PathParamsOf<Op> = Op extends { parameters: { path: infer P } }
  ? P
  : Record<string, never>;

export type QueryParamsOf<Op> = Op extends { parameters: { query?: infer Q } }
  ? [NonNullable<Q>] extends [never]
    ? Record<string, never>
    : NonNullable<Q>
  : Record<string, never>;

/** What a handler returns: one of the operation's success responses. */
export type Reply<Op> = {
  [S in SuccessStatus<Op>]: {
    status: S;
    body: JsonContent<ResponseOf<Op, S>>;
    headers?: Record<string, string>;
  };
}[SuccessStatus<Op>];

/**
 * What a handler receives. `P` is the verified caller on a secured operation (its security handler
 * has run; the request never gets here without one) and `undefined` on a public one.
 */
export interface HandlerRequest<Op, P> {
  body: RequestBodyOf<Op>;
  params: PathParamsOf<Op>;
  /** The query parameters the contract declares, coerced to their schema types. */
  query: QueryParamsOf<Op>;
  principal: P;
  requestId: string;
  ip: string;
  /** A request header (case-insensitive), for header parameters the contract declares. */
  header: (name: string) => string | undefined;
}

export type Handler<Op, P> = (req: HandlerRequest<Op, P>) => Promise<Reply<Op>>;

/** The handler of operation `K`: given the principal when `K` is one of the `Secured` operations. */
export type OperationHandler<
  Ops,
  Secured extends keyof Ops,
  Principal,
  K extends keyof Ops,
> = Handler<Ops[K], K extends Secured ? Principal : undefined>;

export type HandlerMap<Ops, Secured extends keyof Ops, Principal> = {
  [K in keyof Ops]: OperationHandler<Ops, Secured, Principal, K>;
};

/**
 * Roles of the caller, used for operations that declare `x-required-roles`, and the assurance level
 * of its session, for those that declare `x-required-aal` (1 when unknown).
 */
export interface PrincipalBase {
  roles: readonly string[];
  aal?: number | undefined;
}

/** Verifies the credentials of one security scheme; throws an AppError to refuse. */
export type SecurityHandler<Principal> = (
  headers: Record<string, string | string[] | undefined>,
) => Promise<Principal>;
