import net from 'node:net';

/** A client's connection and the proxy's to the database, with what a freeze holds back. */
interface Pair {
  client: net.Socket;
  upstream: net.Socket;
  /** What the client sent while frozen, for the database to read after the thaw. */
  held: Buffer[];
  clientEnded: boolean;
}

/**
 * A TCP proxy in front of Postgres that a test can break: `refuse()` resets every connection (a crashed
 * or restarting database), `blackhole()` accepts and forwards nothing (a network partition), `restore()`
 * forwards again; `freeze()` holds every byte in both directions and `thaw()` delivers them (a database
 * stopped with SIGSTOP and continued: what a client sent meanwhile, even one that has since hung up,
 * still reaches it). Only this test's service goes through it; the shared database stays up.
 */
export class TcpProxy {
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private readonly pairs = new Set<Pair>();
  private mode: 'forward' | 'refuse' | 'blackhole' | 'freeze' = 'forward';
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {
    this.server = net.createServer((client) => this.accept(client));
  }

  /** A listening proxy in front of the database of `url`, and the URL that goes through it. */
  static async before(url: string): Promise<{ proxy: TcpProxy; url: string }> {
    const target = new URL(url);
    const proxy = new TcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    target.port = String(await proxy.listen());
    return { proxy, url: target.toString() };
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
    return this.port;
  }

  refuse(): void {
    this.mode = 'refuse';
    for (const socket of this.sockets) socket.destroy();
  }

  blackhole(): void {
    this.mode = 'blackhole';
    for (const socket of this.sockets) socket.pause();
  }

  freeze(): void {
    this.mode = 'freeze';
    for (const pair of this.pairs) this.hold(pair);
  }

  thaw(): void {
    this.mode = 'forward';
    for (const pair of this.pairs) {
      const { client, upstream } = pair;
      client.removeAllListeners('data');
      for (const chunk of pair.held.splice(0)) upstream.write(chunk);
      if (pair.clientEnded) upstream.end();
      else client.pipe(upstream);
      upstream.resume();
      if (!client.destroyed) upstream.pipe(client);
    }
  }

  restore(): void {
    this.mode = 'forward';
    // Connections that were held during the partition are dropped; the pool reconnects.
    for (const socket of this.sockets) socket.destroy();
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    if (this.mode === 'refuse') {
      client.destroy();
      return;
    }
    this.sockets.add(client);
    client.on('close', () => this.sockets.delete(client));
    client.on('error', () => undefined);
    if (this.mode === 'blackhole') {
      client.pause();
      return;
    }
    const upstream = net.connect(this.target);
    const pair: Pair = { client, upstream, held: [], clientEnded: false };
    this.pairs.add(pair);
    this.sockets.add(upstream);
    upstream.on('close', () => {
      this.sockets.delete(upstream);
      this.pairs.delete(pair);
      client.destroy();
    });
    upstream.on('error', () => client.destroy());
    client.on('close', () => {
      // A frozen database reads what was sent before the hang-up once it runs again (thaw()).
      if (this.mode === 'freeze') pair.clientEnded = true;
      else upstream.destroy();
    });
    client.pipe(upstream, { end: false });
    upstream.pipe(client);
    if (this.mode === 'freeze') this.hold(pair);
  }

  /** Stops forwarding the pair: the client's bytes are kept, the database's wait in its socket. */
  private hold(pair: Pair): void {
    const { client, upstream } = pair;
    client.unpipe(upstream);
    upstream.unpipe(client);
    upstream.pause();
    client.on('data', (chunk: Buffer) => pair.held.push(chunk));
  }
}
