import { pino, type Logger } from 'pino';
import type { LogLevel } from '../config/shared-config.js';

export type { Logger };

/** Log lines are written once this much is pending... */
const LOG_BATCH_BYTES = 4096;
/** ... or at the latest this often. */
const LOG_FLUSH_MS = 100;

/**
 * JSON logs; credentials never reach them, whatever the call site passes. Lines go to stdout without
 * blocking the event loop, gathered into writes of at least LOG_BATCH_BYTES or every LOG_FLUSH_MS
 * (one write per access line was a system call per request); pino flushes what is pending when the
 * process exits, so only a kill -9 can lose the last few lines.
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
    pino.destination({
      dest: 1,
      sync: false,
      minLength: LOG_BATCH_BYTES,
      periodicFlush: LOG_FLUSH_MS,
    }),
  );
}
