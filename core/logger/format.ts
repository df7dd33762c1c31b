import type { Config } from '../../schemas/config.js';

/** How log records are written: one readable line each, or one JSON object each. */
export type LogFormat = 'pretty' | 'json';

export interface LogFormatContext {
  /** `log.format` from the configuration. */
  format: Config['log']['format'];
  /** Whether the logs' destination (stdout) is a terminal. */
  isTTY: boolean;
  /** The environment name (`HEIMDALL_ENV`, then `NODE_ENV`, then `development`). */
  env: string;
}

/**
 * `auto` is pretty only when a person is plainly reading: stdout is a terminal and the environment is not
 * production. Anything piped or redirected (a log shipper, `| jq`, a file, a test harness) keeps JSON, whatever the
 * environment; production keeps JSON even on a terminal, since container runtimes hand a process a TTY (`docker
 * run -t`, compose's `tty: true`) while a collector still parses what it writes. Other environments (`docker`,
 * `test`, a staging name) are someone's own machine or terminal often enough that a TTY decides for them.
 */
export function chooseLogFormat({ format, isTTY, env }: LogFormatContext): LogFormat {
  if (format !== 'auto') return format;
  return isTTY && env !== 'production' ? 'pretty' : 'json';
}
