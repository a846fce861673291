// Types that tie handlers to the operations generated from an OpenAPI file: a missing handler, an
// extra one, a wrong body or a wrong status is a compile error.

type JsonContent<R> = R extends { content: { 'application/json': infer B } } ? B : undefined;
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

/** What a handler returns: one of the operation's success responses. */
export type Reply<Op> = {
  [S in SuccessStatus<Op>]: {
    status: S;
    body: JsonContent<ResponseOf<Op, S>>;
    headers?: Record<string, string>;
  };
}[SuccessStatus<Op>];

export interface HandlerRequest<Op, Principal> {
  body: RequestBodyOf<Op>;
  params: PathParamsOf<Op>;
  /** Set on operations with a security requirement; the security handler has already verified it. */
  principal: Principal | undefined;
  requestId: string;
  ip: string;
}

export type Handler<Op, Principal> = (req: HandlerRequest<Op, Principal>) => Promise<Reply<Op>>;

export type HandlerMap<Ops, Principal> = { [K in keyof Ops]: Handler<Ops[K], Principal> };

/** Roles of the caller, used for operations that declare `x-required-roles`. */
export interface PrincipalBase {
  roles: readonly string[];
}

/** Verifies the credentials of one security scheme; throws an AppError to refuse. */
export type SecurityHandler<Principal> = (
  headers: Record<string, string | string[] | undefined>,
) => Promise<Principal>;
