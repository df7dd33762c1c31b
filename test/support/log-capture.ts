import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';

/** A logger whose records a test can read: what an operator would see in the server log. */
export function capturingLogger(level = 'info'): { logger: Logger; records: Record<string, unknown>[] } {
  const records: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) records.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level }, stream), records };
}

/** The setup links the platform printed, oldest first. */
export const setupLinksIn = (records: readonly Record<string, unknown>[]): string[] =>
  records.flatMap((r) => (typeof r.setupUrl === 'string' ? [r.setupUrl] : []));
