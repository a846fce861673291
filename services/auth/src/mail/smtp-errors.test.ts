import { describe, expect, it } from 'vitest';
import { classifySmtpError } from './smtp-errors.js';
import { PermanentMailError, TransientMailError } from './transport.js';

/** An error as nodemailer's SMTP connection makes it: its message ends with the server's reply. */
function smtpError(message: string, fields: { code: string; response?: string; command?: string }) {
  const err = Object.assign(
    new Error(fields.response ? `${message}: ${fields.response}` : message),
    {
      code: fields.code,
      ...(fields.response
        ? { response: fields.response, responseCode: Number(fields.response.slice(0, 3)) }
        : {}),
      ...(fields.command ? { command: fields.command } : {}),
    },
  );
  return err;
}

const kind = (err: unknown) => {
  const sorted = classifySmtpError(err);
  if (sorted instanceof PermanentMailError) return 'permanent';
  expect(sorted).toBeInstanceOf(TransientMailError);
  return (sorted as TransientMailError).serverDown ? 'server down' : 'transient';
};

describe('classifySmtpError', () => {
  it.each([
    [
      '550 mailbox unknown',
      "Can't send mail - all recipients were rejected",
      'EENVELOPE',
      '550 5.1.1 <x@example.com>: mailbox unknown',
      'RCPT TO',
      'permanent',
    ],
    [
      '552 message too big',
      'Message failed',
      'EMESSAGE',
      '552 5.3.4 Message too big',
      'DATA',
      'permanent',
    ],
    [
      '554 refused after data',
      'Message failed',
      'EMESSAGE',
      '554 5.7.1 Rejected as spam',
      'DATA',
      'permanent',
    ],
    [
      '452 mailbox full',
      "Can't send mail - all recipients were rejected",
      'EENVELOPE',
      '452 4.2.2 Mailbox full',
      'RCPT TO',
      'transient',
    ],
    [
      '451 greylisted data',
      'Message failed',
      'EMESSAGE',
      '451 4.7.1 Try again later',
      'DATA',
      'transient',
    ],
    [
      '421 at a recipient',
      "Can't send mail - all recipients were rejected",
      'EENVELOPE',
      '421 4.3.2 Shutting down',
      'RCPT TO',
      'server down',
    ],
    [
      '535 bad login',
      'Invalid login',
      'EAUTH',
      '535 5.7.8 Authentication failed',
      'AUTH PLAIN',
      'server down',
    ],
    [
      '553 sender refused',
      'Mail command failed',
      'EENVELOPE',
      '553 5.7.1 Sender not allowed',
      'MAIL FROM',
      'server down',
    ],
    [
      '554 at the greeting',
      'Greeting never received',
      'EPROTOCOL',
      '554 No service',
      'CONN',
      'server down',
    ],
  ])(
    'When the server answers %s, then the failure is %s',
    (_name, message, code, response, command, expected) => {
      expect(kind(smtpError(message, { code, response, command }))).toBe(expected);
    },
  );

  it.each([
    ['the connection is refused', 'connect ECONNREFUSED 127.0.0.1:2525', 'ESOCKET'],
    ['the connection times out', 'Connection timeout', 'ETIMEDOUT'],
    ['the connection drops', 'Connection closed unexpectedly', 'ECONNECTION'],
    ['the name does not resolve', 'getaddrinfo ENOTFOUND smtp.invalid', 'EDNS'],
    ['the TLS handshake fails', 'self-signed certificate', 'ETLS'],
    ['the send is aborted at its deadline', 'Message sending aborted', 'EABORT'],
  ])('When %s, then the server counts as down', (_name, message, code) => {
    expect(kind(smtpError(message, { code, command: 'CONN' }))).toBe('server down');
  });

  it('When nodemailer refuses the mail before asking the server, then the failure is permanent', () => {
    expect(kind(smtpError('Invalid recipient "a b"', { code: 'EENVELOPE', command: 'API' }))).toBe(
      'permanent',
    );
    expect(
      kind(
        smtpError('Message size larger than allowed 100', {
          code: 'EMESSAGE',
          command: 'MAIL FROM',
        }),
      ),
    ).toBe('permanent');
  });

  it('When the error is not an SMTP one, then the failure is transient and about this mail', () => {
    expect(kind(new TypeError('x is undefined'))).toBe('transient');
    expect(kind('a string')).toBe('transient');
  });

  it('When a failure is described, then the text is the code and the reply, on one line and short', () => {
    const reply = '550 5.1.1 mailbox unknown\n550 5.1.1 really';
    const described = classifySmtpError(
      smtpError('Message failed', {
        code: 'EMESSAGE',
        response: reply + 'x'.repeat(900),
        command: 'DATA',
      }),
    ).message;
    expect(
      described.startsWith('EMESSAGE: Message failed: 550 5.1.1 mailbox unknown 550 5.1.1 really'),
    ).toBe(true);
    expect(described.length).toBeLessThanOrEqual(500);
  });
});
