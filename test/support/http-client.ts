export interface HttpResult<T = any> {
  status: number;
  headers: Headers;
  contentType: string | null;
  body: T;
}

export interface RequestOptions {
  token?: string;
  headers?: Record<string, string>;
  /** A raw body sent as is (for malformed JSON and wrong content types). */
  raw?: string;
}

/** A small fetch wrapper: JSON in, parsed JSON (or undefined for an empty body) out. */
export function client(baseUrl: string) {
  const send = async (
    method: string,
    path: string,
    body?: unknown,
    opts: RequestOptions = {},
  ): Promise<HttpResult> => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let payload: string | undefined = opts.raw;
    if (payload === undefined && body !== undefined) {
      payload = JSON.stringify(body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(baseUrl + path, {
      method,
      headers,
      ...(payload === undefined ? {} : { body: payload }),
    });
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      contentType: res.headers.get('content-type'),
      body: text === '' ? undefined : JSON.parse(text),
    };
  };
  return {
    baseUrl,
    get: (path: string, opts?: RequestOptions) => send('GET', path, undefined, opts),
    post: (path: string, body?: unknown, opts?: RequestOptions) => send('POST', path, body, opts),
    patch: (path: string, body?: unknown, opts?: RequestOptions) => send('PATCH', path, body, opts),
    send,
  };
}

export type Client = ReturnType<typeof client>;
