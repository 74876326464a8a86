import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs. Whatever a caller passes, these paths never reach the output:
 * a recovery token or link in a log line would be a working key to someone's account.
 */
const REDACTED_FIELDS = ['token', 'recoveryLink', 'secret'];
const REDACTED_PATHS = [
  ...REDACTED_FIELDS,
  ...REDACTED_FIELDS.map((field) => `*.${field}`),
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

/**
 * Logs to stdout; tests pass a destination of their own. `traceFields` (tracing's
 * `logFields`) adds the active trace and span ids to every line written inside a trace.
 */
export function createLogger(
  level: string,
  destination: DestinationStream = pino.destination({
    dest: 1,
    sync: false,
    minLength: BUFFERED_BYTES,
    periodicFlush: FLUSH_INTERVAL_MS,
  }),
  traceFields: (() => object) | null = null,
): Logger {
  return pino(
    {
      level,
      base: { service: 'recovery-link-subgraph' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      // Absent rather than empty when tracing is off: pino then does no work per line.
      ...(traceFields === null ? {} : { mixin: traceFields }),
    },
    destination,
  );
}

/**
 * For lines whose fields are flat and fixed by the code that writes them (the line per
 * request): the same fields redacted, at the top level only. The wildcard paths, which
 * look one level into every field of every line, cost as much as the rest of such a line
 * (bench/README.md, "Where the time goes"), and a flat line has nothing for them to find.
 */
export function flatLineLogger(logger: Logger): Logger {
  return logger.child({}, { redact: { paths: REDACTED_FIELDS, censor: '[redacted]' } });
}
