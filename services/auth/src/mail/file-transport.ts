import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '@platform/common';
import { createTransport } from 'nodemailer';
import { messageOf, type MailTransport, type OutgoingMail } from './transport.js';

/**
 * Without an SMTP server (the embedded default): each mail becomes an RFC 5322 `.eml` file in
 * `dir`, which any mail program opens, and the log names the file, so someone running the service
 * locally can follow a link from it. The file holds the body (and its link); the log never does.
 */
export class FileTransport implements MailTransport {
  private readonly composer = createTransport({ streamTransport: true, buffer: true });

  constructor(
    private readonly dir: string,
    private readonly logger: Logger,
  ) {}

  async send(mail: OutgoingMail): Promise<void> {
    const { message } = await this.composer.sendMail(messageOf(mail));
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const file = path.join(this.dir, `${stamp}-${mail.id}-${mail.template}.eml`);
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    // Written whole under another name first, so a reader never opens half a mail.
    await writeFile(`${file}.part`, message as Buffer, { mode: 0o600 });
    await rename(`${file}.part`, file);
    const relative = path.relative(process.cwd(), file);
    const shown = relative.startsWith('..') ? file : relative;
    this.logger.info(
      { mailId: mail.id, template: mail.template, file: shown },
      `mail written to ${shown}`,
    );
  }

  async close(): Promise<void> {}
}
