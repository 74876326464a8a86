import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs. Whatever a caller passes, these paths never reach the output:
 * a recovery token or link in a log line would be a working key to someone's account.
 */
const REDACTED_PATHS = [
  'token',
  'recoveryLink',
  '*.token',
  '*.recoveryLink',
  'secret',
  '*.secret',
  'req.headers.authorization',
  'headers.authorization',
];

/**
 * Lines are gathered and written 4 KB at a time, or after at most FLUSH_INTERVAL_MS: one
 * write per line cost a system call per request (most of a request's logging cost, and
 * all of it at one connection). pino flushes what is left synchronously when the process
 * exits (process.exit, the end of the event loop, an uncaught exception); only a SIGKILL
 * loses the last FLUSH_INTERVAL_MS of lines, as it lost the line being written before.
 */
const BUFFERED_BYTES = 4096;
const FLUSH_INTERVAL_MS = 100;

export function createLogger(level: string): Logger {
  return pino(
    {
      level,
      base: { service: 'recovery-link-subgraph' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    pino.destination({ dest: 1, sync: false, minLength: BUFFERED_BYTES, periodicFlush: FLUSH_INTERVAL_MS }),
  );
}
