import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { generate } from 'selfsigned';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import { freePort } from './processes.js';

/** A message the server accepted, as mailparser read it, with how it arrived. */
export interface ReceivedMail {
  /** Envelope recipients (RCPT TO). */
  to: string[];
  /** Envelope sender (MAIL FROM). */
  from: string;
  /** The From header as mailparser prints it, e.g. `"Auth service" <no-reply@example.com>`. */
  fromHeader: string;
  subject: string;
  text: string;
  html: string;
  /** The Message-ID header, angle brackets included. */
  messageId: string;
  /** Whether the session was encrypted (STARTTLS, or TLS from the start). */
  secure: boolean;
  /** The user the session logged in as; undefined without AUTH. */
  user: string | undefined;
  receivedAt: Date;
}

export interface SmtpServerOptions {
  /** `starttls` (default): plain connection upgraded by STARTTLS; `implicit`: TLS from the start (smtps://). */
  tls?: 'starttls' | 'implicit';
  /** The only credentials AUTH PLAIN and LOGIN accept (default courier / courier-secret). */
  user?: string;
  password?: string;
  /** Recipients refused at RCPT TO, with the reply code (550: mailbox unknown; 4xx: try later). */
  refuse?: Record<string, number>;
  /** How long the server holds each message before it answers (to catch a courier mid-batch). */
  acceptDelayMs?: number;
}

export interface SmtpTestServer {
  /** `smtp://user:password@127.0.0.1:port` (`smtps://` with `tls: 'implicit'`). */
  readonly url: string;
  readonly port: number;
  /** The PEM file of the server's self-signed certificate: give it as SMTP_CA_FILE. */
  readonly caFile: string;
  /** Every message accepted so far, in order. */
  messages(): ReceivedMail[];
  /**
   * Resolves with the first message (already received or still to come) that `match` accepts;
   * fails after `timeoutMs` (default 10 s).
   */
  waitFor(match: (mail: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  /** Resolves with all messages once `predicate` holds for them (all of a batch arrived, say). */
  waitUntil(
    predicate: (messages: ReceivedMail[]) => boolean,
    timeoutMs?: number,
  ): Promise<ReceivedMail[]>;
  /** Refuses (code) or accepts again (undefined) a recipient from now on. */
  refuse(address: string, code: number | undefined): void;
  /** Stops listening and drops every connection (421 first): an outage. */
  stop(): Promise<void>;
  /** Listens again on the same port, with the same certificate and credentials. */
  start(): Promise<void>;
  /** Stops the server and deletes its certificate file. */
  close(): Promise<void>;
}

/**
 * A real SMTP server on 127.0.0.1 for tests: STARTTLS with a self-signed certificate for
 * 127.0.0.1 and localhost, and AUTH PLAIN/LOGIN required, accepted only over TLS, so a client's
 * real TLS and login path runs. It keeps every message it accepts, parsed by mailparser.
 */
export async function startSmtpServer(opts: SmtpServerOptions = {}): Promise<SmtpTestServer> {
  const user = opts.user ?? 'courier';
  const password = opts.password ?? 'courier-secret';
  const refused = new Map(Object.entries(opts.refuse ?? {}).map(([a, c]) => [a.toLowerCase(), c]));
  const implicit = opts.tls === 'implicit';
  const dir = await mkdtemp(path.join(tmpdir(), 'smtp-test-'));
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 7, ip: '127.0.0.1' },
          { type: 2, value: 'localhost' },
        ],
      },
    ],
  });
  const caFile = path.join(dir, 'smtp-ca.pem');
  await writeFile(caFile, pems.cert);
  const port = await freePort();
  const received: ReceivedMail[] = [];
  const waiters = new Set<() => void>();
  let server: SMTPServer | undefined;

  const create = () =>
    new SMTPServer({
      secure: implicit,
      key: pems.private,
      cert: pems.cert,
      authMethods: ['PLAIN', 'LOGIN'],
      allowInsecureAuth: false,
      logger: false,
      closeTimeout: 1,
      onAuth(auth, _session, callback) {
        if (auth.username === user && auth.password === password) {
          callback(null, { user });
        } else {
          callback(Object.assign(new Error('Authentication failed'), { responseCode: 535 }));
        }
      },
      onRcptTo(address, _session, callback) {
        const code = refused.get(address.address.toLowerCase());
        if (code === undefined) return callback();
        const text = code >= 500 ? 'Mailbox unknown' : 'Mailbox busy, try again later';
        callback(Object.assign(new Error(text), { responseCode: code }));
      },
      onData(stream, session, callback) {
        simpleParser(stream).then(
          async (parsed) => {
            if (opts.acceptDelayMs) await new Promise((r) => setTimeout(r, opts.acceptDelayMs));
            received.push(toMail(parsed, session));
            for (const wake of waiters) wake();
            callback();
          },
          (err: Error) => callback(err),
        );
      },
    });

  const start = async () => {
    if (server) return;
    const next = create();
    await new Promise<void>((resolve, reject) => {
      next.server.once('error', reject);
      next.listen(port, '127.0.0.1', () => resolve());
    });
    next.on('error', () => undefined); // a client that drops its connection is not a test failure
    server = next;
  };
  const stop = async () => {
    const current = server;
    server = undefined;
    if (current) await new Promise<void>((resolve) => current.close(() => resolve()));
  };
  await start();

  const waitUntil = (predicate: (messages: ReceivedMail[]) => boolean, timeoutMs = 10_000) =>
    new Promise<ReceivedMail[]>((resolve, reject) => {
      const check = () => {
        if (!predicate([...received])) return;
        cleanup();
        resolve([...received]);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms with ${received.length} messages`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });

  const scheme = implicit ? 'smtps' : 'smtp';
  return {
    url: `${scheme}://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}`,
    port,
    caFile,
    messages: () => [...received],
    waitUntil,
    waitFor: async (match, timeoutMs) =>
      (await waitUntil((messages) => messages.some(match), timeoutMs)).find(match)!,
    refuse: (address, code) => {
      if (code === undefined) refused.delete(address.toLowerCase());
      else refused.set(address.toLowerCase(), code);
    },
    stop,
    start,
    close: async () => {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function toMail(
  parsed: Awaited<ReturnType<typeof simpleParser>>,
  session: SMTPServerSession,
): ReceivedMail {
  const { mailFrom, rcptTo } = session.envelope;
  return {
    to: rcptTo.map((r) => r.address),
    from: mailFrom ? mailFrom.address : '',
    fromHeader: parsed.from?.text ?? '',
    subject: parsed.subject ?? '',
    text: parsed.text ?? '',
    html: typeof parsed.html === 'string' ? parsed.html : '',
    messageId: parsed.messageId ?? '',
    secure: session.secure,
    user: typeof session.user === 'string' ? session.user : undefined,
    receivedAt: new Date(),
  };
}
