import { pino, type DestinationStream, type Logger } from 'pino';
import { prettyFactory } from 'pino-pretty';
import type { Config } from '../../schemas/config.js';
import { chooseLogFormat, type LogFormat } from './format.js';

export type { Logger } from 'pino';

/**
 * Logs on stdout (pino), as JSON or one readable line per record. Credentials never reach a log line: the paths
 * below are censored wherever they appear in a logged object, including request headers, before either format
 * sees the record.
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

export interface LoggerOutput {
  /** Default: `json`. */
  format?: LogFormat;
  /** Colours in pretty output: for a terminal only, a file or pipe would get escape codes. */
  colorize?: boolean;
  /** Where the lines go. Default: stdout, written synchronously as pino does by default. */
  destination?: DestinationStream;
}

export function createLogger(level: string, name = 'heimdall', output: LoggerOutput = {}): Logger {
  const options = { name, level, redact: { paths: REDACT, censor: '[redacted]' } };
  if (output.format !== 'pretty') {
    return output.destination ? pino(options, output.destination) : pino(options);
  }
  return pino(options, prettyStream(output.colorize ?? false, output.destination ?? stdout()));
}

/**
 * The process's own logger on stdout, in the format `log.format`, the environment and the terminal decide
 * (core/logger/format.ts).
 */
export function createStdoutLogger(
  log: Config['log'],
  env: string,
  terminal: { isTTY?: boolean } = process.stdout,
): Logger {
  const isTTY = terminal.isTTY === true;
  const format = chooseLogFormat({ format: log.format, isTTY, env });
  return createLogger(log.level, 'heimdall', { format, colorize: isTTY });
}

function stdout(): DestinationStream {
  return pino.destination({ dest: 1, sync: true });
}

/**
 * pino-pretty's formatter in the writing call itself, not its stream or a worker transport: a record is on
 * stdout when the log call returns, so a line logged just before `process.exit` (the CLI's last words, a fatal
 * error) is not lost, and the CLI and tests need no worker thread.
 */
function prettyStream(colorize: boolean, destination: DestinationStream): DestinationStream {
  const format = prettyFactory({
    colorize,
    singleLine: true,
    ignore: 'pid,hostname',
    translateTime: 'SYS:HH:MM:ss.l',
  });
  return { write: (line: string) => destination.write(format(line)) };
}
