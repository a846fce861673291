import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import type Koa from 'koa';

export interface RunningServer {
  server: Server;
  url: string;
  port: number;
  /** Stops accepting connections and resolves when every in-flight request has been answered. */
  close(): Promise<void>;
}

/** Listens on `port` (0 picks a free one) and closes gracefully: new connections stop, in-flight finish. */
export async function listen(app: Koa, port: number, host: string): Promise<RunningServer> {
  const handle = app.callback();
  let closing = false;
  const server = createServer((req, res) => {
    // While closing, every answer ends its connection, so keep-alive clients move elsewhere instead
    // of sending more requests into a connection that is about to go away.
    if (closing) res.setHeader('Connection', 'close');
    void handle(req, res);
  });
  server.keepAliveTimeout = 65_000;
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
