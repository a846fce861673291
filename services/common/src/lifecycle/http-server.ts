import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type Koa from 'koa';
import { AppError } from '../errors/app-error.js';
import { problemBody, PROBLEM_CONTENT_TYPE } from '../errors/problem.js';

export interface RunningServer {
  server: Server;
  url: string;
  port: number;
  /** Stops accepting connections and resolves when every in-flight request has been answered. */
  close(): Promise<void>;
}

/** How long a client may take over a request; the defaults are those of readHttpTimeouts(). */
export interface ListenOptions {
  /** The request's headers must have arrived within this long of its first byte (408 after). */
  headersTimeoutMs?: number;
  /** The whole request, body included (408 after). */
  requestTimeoutMs?: number;
}

/**
 * Listens on `port` (0 picks a free one) and closes gracefully: new connections stop, in-flight finish.
 * A client that trickles its headers or body in is cut off with a 408 once its time is up, checked
 * every quarter of the headers' time at most; an idle keep-alive connection (the gateway's) stays open
 * for 65 s between requests.
 */
export async function listen(
  app: Koa,
  port: number,
  host: string,
  opts: ListenOptions = {},
): Promise<RunningServer> {
  const handle = app.callback();
  let closing = false;
  const headersTimeout = opts.headersTimeoutMs ?? 5_000;
  const requestTimeout = Math.max(opts.requestTimeoutMs ?? 10_000, headersTimeout);
  const options = {
    headersTimeout,
    requestTimeout,
    connectionsCheckingInterval: Math.min(1_000, Math.ceil(headersTimeout / 4)),
  };
  const server = createServer(options, (req, res) => {
    // While closing, every answer ends its connection, so keep-alive clients move elsewhere instead
    // of sending more requests into a connection that is about to go away.
    if (closing) res.setHeader('Connection', 'close');
    void handle(req, res);
  });
  server.keepAliveTimeout = 65_000;
  server.on('clientError', answerClientError);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return {
    server,
    port: actual,
    url: `http://${shownHost}:${actual}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        closing = true;
        const sweep = setInterval(() => server.closeIdleConnections(), 50);
        server.close((err) => {
          clearInterval(sweep);
          if (err) reject(err);
          else resolve();
        });
        server.closeIdleConnections();
      }),
  };
}

/** What Node's HTTP parser refuses before any app code runs, by its error code. */
const PARSER_REFUSALS: Record<
  string,
  { status: number; code: string; title: string; detail: string }
> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    code: 'headers-too-large',
    title: 'Request header fields too large',
    detail: 'The request headers are larger than this service accepts.',
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    code: 'request-timeout',
    title: 'Request timeout',
    detail: 'The request was not received in time.',
  },
};
const MALFORMED_REQUEST = {
  status: 400,
  code: 'malformed-request',
  title: 'Malformed request',
  detail: 'The request is not valid HTTP/1.1 (for example an unknown method).',
};

/**
 * Node answers what its parser refuses (an unknown method, oversized headers) with a bare status
 * line; here it gets the problem+json every other error gets, then the connection closes.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const refusal = PARSER_REFUSALS[err.code ?? ''] ?? MALFORMED_REQUEST;
  const body = JSON.stringify(problemBody(new AppError(refusal)));
  socket.end(
    `HTTP/1.1 ${refusal.status} ${refusal.title}\r\n` +
      `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}
