import { pino, type Logger } from 'pino';
import type { LogLevel } from '../config/shared-config.js';

export type { Logger };

/**
 * JSON logs; credentials never reach them, whatever the call site passes. Lines go to stdout without
 * blocking the event loop on each write (pino flushes what is pending when the process exits).
 */
export function createLogger(opts: { service: string; level: LogLevel }): Logger {
  return pino(
    {
      name: opts.service,
      level: opts.level,
      base: { service: opts.service },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          'password',
          '*.password',
          'req.headers.authorization',
          'headers.authorization',
          'refresh_token',
          '*.refresh_token',
          'token',
          '*.token',
        ],
        censor: '[redacted]',
      },
    },
    pino.destination({ dest: 1, sync: false }),
  );
}
