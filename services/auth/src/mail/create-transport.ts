import type { Logger } from '@platform/common';
import { FileTransport } from './file-transport.js';
import type { MailSettings } from './mail-config.js';
import { SmtpTransport } from './smtp-transport.js';
import type { MailTransport } from './transport.js';

/** SMTP when SMTP_URL is set (always in production), `.eml` files in the data folder otherwise. */
export function createMailTransport(settings: MailSettings, logger: Logger): MailTransport {
  if (settings.smtpUrl) {
    return new SmtpTransport({ url: settings.smtpUrl, caFile: settings.smtpCaFile, logger });
  }
  logger.warn({ dir: settings.mailDir }, 'no SMTP_URL: mails are written as .eml files');
  return new FileTransport(settings.mailDir, logger);
}
