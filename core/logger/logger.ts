import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * JSON logs on stdout (pino). Credentials never reach a log line: the paths below are censored wherever they
 * appear in a logged object, including request headers.
 */
const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.password_hash',
  '*.key_hash',
  '*.client_secret',
  '*.secret',
  '*.token',
];

export function createLogger(level: string, name = 'heimdall'): Logger {
  return pino({ name, level, redact: { paths: REDACT, censor: '[redacted]' } });
}
