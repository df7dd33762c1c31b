import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '../config/index.js';
import { createLogger, type LoggerOutput } from './logger.js';

const PASSWORD = 'correct-horse-battery';
const BEARER = 'Bearer hm_live_secret_key';

/** Logs a request with credentials and a plain record, and returns what reached the destination, chunk by chunk. */
function written(output: LoggerOutput): string[] {
  const chunks: string[] = [];
  const logger = createLogger('info', 'heimdall', {
    ...output,
    destination: { write: (chunk: string) => void chunks.push(chunk) },
  });
  logger.info(
    {
      req: { method: 'POST', headers: { authorization: BEARER, cookie: 'sid=abc' } },
      body: { password: PASSWORD },
    },
    'request completed',
  );
  logger.warn({ attempts: 3, user: { id: 'u1', token: 'tok-123' } }, 'sign-in slowed down');
  logger.debug('below the level');
  return chunks;
}

describe('createLogger', () => {
  it('json: one parseable JSON object per record, credentials redacted', () => {
    const chunks = written({ format: 'json' });
    expect(chunks).toHaveLength(2);
    const records = chunks.map((chunk) => JSON.parse(chunk) as Record<string, unknown>);
    expect(records[0]).toMatchObject({
      level: 30,
      name: 'heimdall',
      msg: 'request completed',
      req: { method: 'POST', headers: { authorization: '[redacted]', cookie: '[redacted]' } },
      body: { password: '[redacted]' },
    });
    expect(records[1]).toMatchObject({ level: 40, attempts: 3, user: { id: 'u1', token: '[redacted]' } });
  });

  it('pretty: one line per record, readable, with the same redaction and no colours unless asked', () => {
    const chunks = written({ format: 'pretty' });
    const text = chunks.join('');
    const lines = text.split('\n').filter(Boolean);
    expect(lines).toHaveLength(2);
    expect(chunks.every((chunk) => chunk.endsWith('\n') && chunk.indexOf('\n') === chunk.length - 1)).toBe(
      true,
    );
    expect(lines[0]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO \(heimdall\): request completed /);
    expect(lines[1]).toMatch(/ WARN \(heimdall\): sign-in slowed down .*"attempts":3/);
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(BEARER);
    expect(text).not.toContain('hm_live');
    expect(text).not.toContain('sid=abc');
    expect(text).not.toContain('tok-123');
    expect(text).toContain('"authorization":"[redacted]"');
    // Neither JSON nor pid/hostname noise, and no escape codes for a pipe.
    expect(() => JSON.parse(lines[0]!)).toThrow();
    expect(text).not.toMatch(/"pid"|"hostname"/);
    expect(text).not.toContain('\u001b[');
  });

  it('pretty with colorize writes escape codes, for a terminal', () => {
    expect(written({ format: 'pretty', colorize: true }).join('')).toContain('\u001b[');
  });

  it('log.format defaults to auto and accepts pretty and json only', () => {
    const vars = (format?: string) => ({ ...(format ? { HEIMDALL__LOG__FORMAT: format } : {}) });
    expect(loadConfig({ dir: 'config', env: 'development', vars: vars() }).log.format).toBe('auto');
    expect(loadConfig({ dir: 'config', env: 'development', vars: vars('json') }).log.format).toBe('json');
    expect(() => loadConfig({ dir: 'config', env: 'development', vars: vars('colourful') })).toThrow(
      /log\.format/,
    );
  });
});
