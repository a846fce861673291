// The benchmark's SMTP server, which the services' courier delivers to: on 127.0.0.1 in this process,
// STARTTLS with a self-signed certificate and AUTH PLAIN/LOGIN required (accepted only over TLS), like
// the tests' server (test/support/smtp.ts), so that the courier's real TLS and login path runs. It
// keeps only what the mail measurements need of each mail: its envelope recipients and when it was
// accepted (performance.now() as the server answers 250, comparable with http.mjs's `at`).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { generate } from 'selfsigned';
import { SMTPServer } from 'smtp-server';

const USER = 'courier';
const PASSWORD = 'bench-secret';

/**
 * Starts the sink; its certificate goes to `<dir>/smtp-ca.pem`. `env` is what the services need to
 * deliver to it; `close` stops it (after the services, which hold a connection to it).
 */
export async function startSmtpSink(dir) {
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
    ],
  });
  const caFile = path.join(dir, 'smtp-ca.pem');
  writeFileSync(caFile, pems.cert);
  /** @type {{ to: string[], at: number }[]} */
  const mails = [];
  const listeners = new Set();
  const server = new SMTPServer({
    key: pems.private,
    cert: pems.cert,
    authMethods: ['PLAIN', 'LOGIN'],
    allowInsecureAuth: false,
    logger: false,
    closeTimeout: 1,
    onAuth(auth, _session, callback) {
      if (auth.username === USER && auth.password === PASSWORD)
        return callback(null, { user: USER });
      callback(Object.assign(new Error('Authentication failed'), { responseCode: 535 }));
    },
    onData(stream, session, callback) {
      stream.on('end', () => {
        const mail = {
          to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
          at: performance.now(),
        };
        mails.push(mail);
        for (const listener of listeners) listener(mail);
        callback();
      });
      stream.resume(); // the body is not needed
    },
  });
  server.on('error', () => undefined); // a client that drops its connection is not a failure
  await new Promise((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.server.address();
  return {
    env: { SMTP_URL: `smtp://${USER}:${PASSWORD}@127.0.0.1:${port}`, SMTP_CA_FILE: caFile },
    /** Mails accepted so far: an index for `collect`'s `from`. */
    count: () => mails.length,
    /**
     * Resolves with the first `count` mails accepted from index `from` on that `match` accepts, or
     * with fewer (`complete` false) when none more has come for `idleMs`, or on `signal`.
     */
    collect(match, count, { from, idleMs, signal }) {
      return new Promise((resolve) => {
        const found = mails.slice(from).filter(match).slice(0, count);
        let timer;
        const done = () => {
          clearTimeout(timer);
          listeners.delete(listener);
          signal.removeEventListener('abort', done);
          resolve({ mails: found, complete: found.length >= count });
        };
        const listener = (mail) => {
          if (!match(mail)) return;
          found.push(mail);
          if (found.length >= count) done();
          else timer.refresh();
        };
        if (found.length >= count || signal.aborted) return done();
        timer = setTimeout(done, idleMs);
        listeners.add(listener);
        signal.addEventListener('abort', done, { once: true });
      });
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
