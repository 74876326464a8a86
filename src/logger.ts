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

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'recovery-link-subgraph' },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  });
}
