import { beforeAll, describe, expect, it } from '@jest/globals';
import { AUDIT_COLUMN_NAMES } from '../../schemas/audit-columns.js';
import { listAuditQuery } from '../../schemas/audit.js';
import { useCoreServices } from '../../test/support/core-services.js';
import type { AppError } from '../errors/index.js';
import { createAuditExport, csvField, type AuditExport } from './export.js';
import { copyAuditRows, toAuditRow } from './rows.js';
import { createAuditService } from './service.js';

/** RFC 4180: fields separated by commas, records by CRLF, quoted fields with doubled quotes. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]!;
    if (quoted) {
      if (c !== '"') field += c;
      else if (text[i + 1] === '"') field += text[++i];
      else quoted = false;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i += 1;
    } else if (c === '"' || c === '\n' || c === '\r') throw new Error(`not RFC 4180 at ${i}`);
    else field += c;
  }
  if (field !== '' || record.length > 0) throw new Error('the last record has no CRLF');
  return records;
}

const read = async (stream: NodeJS.ReadableStream) => {
  const chunks: string[] = [];
  for await (const chunk of stream) chunks.push(String(chunk));
  return { text: chunks.join(''), chunks: chunks.length };
};

/** Takes the first chunk, then gives up on the rest, as a client that disconnects would; resolves once closed. */
async function stopEarly(stream: NodeJS.ReadableStream & { destroy(): void; closed: boolean }) {
  await new Promise((resolve) => stream.once('data', resolve));
  stream.destroy();
  if (!stream.closed) await new Promise((resolve) => stream.once('close', resolve));
}

const NASTY = [
  '=HYPERLINK("http://evil.example","click")',
  '+1 (555) 0100',
  '-2',
  '@SUM(A1:A9)',
  '\tindented',
  'comma, inside',
  'quote " inside',
  'two\nlines',
  'crlf\r\nline',
  'é ✓ 漢字',
  'plain',
];
const EVENTS = 3000;

describe('audit CSV export', () => {
  const t = useCoreServices();
  let exporter: AuditExport;
  const reader = () => t.actor(['audit:read']);

  beforeAll(async () => {
    exporter = createAuditExport({ db: t.db, audit: t.audit });
    const types = ['login', 'login_failed', 'logout', 'token_created'] as const;
    const addresses = ['10.1.2.3', '10.1.200.4', '192.0.2.7', '2001:db8::1'];
    const rows = Array.from({ length: EVENTS }, (_, i) => {
      const row = toAuditRow({
        event_type: types[i % 4]!,
        user_id: `u${i % 50}`,
        actor_id: i % 3 ? `a${i % 7}` : undefined,
        ip_address: addresses[i % 4],
        user_agent: i % 5 ? NASTY[i % NASTY.length] : undefined,
        description: NASTY[(i + 3) % NASTY.length],
        metadata: { i, note: NASTY[i % NASTY.length], formula: '=1+1' },
        created_at: new Date(Date.now() - i * 250_000).toISOString(),
        is_reported: i % 97 === 0,
      });
      row.country_code = i % 3 === 0 ? 'DE' : i % 3 === 1 ? 'SE' : null;
      row.country_name = row.country_code === 'DE' ? 'Germany' : row.country_code ? '-Sweden' : null;
      return row;
    });
    for (let i = 0; i < rows.length; i += 500) await copyAuditRows(t.db, rows.slice(i, i + 500));
  });

  /** The search API's events for the same filters, newest first, every page. */
  async function searched(filters: Record<string, string>) {
    const service = createAuditService({ db: t.db, audit: t.audit });
    const events = [];
    let cursor: string | undefined;
    do {
      const page = await service.list(
        listAuditQuery.parse({ ...filters, limit: '200', ...(cursor ? { cursor } : {}) }),
      );
      events.push(...page.data);
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    return events;
  }

  it('streams every event in a few chunks, as CSV that parses back to the stored values', async () => {
    const { text, chunks } = await read(exporter.csv(reader()));
    const [header, ...records] = parseCsv(text);
    expect(header).toEqual([...AUDIT_COLUMN_NAMES]);
    expect(records).toHaveLength(EVENTS);
    expect(chunks).toBeGreaterThanOrEqual(3);

    const events = await searched({});
    expect(records.map((r) => r[0])).toEqual(events.map((e) => e.id));
    events.forEach((event, i) => {
      const record = records[i]!;
      AUDIT_COLUMN_NAMES.forEach((name, j) => {
        const value = event[name];
        if (name === 'metadata') {
          expect(record[j]!.startsWith("'")).toBe(false);
          expect(JSON.parse(record[j]!)).toEqual(value);
          return;
        }
        const text = value === null ? '' : String(value);
        const neutralised = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
        if (record[j] !== neutralised)
          throw new Error(`${name} of ${event.id}: ${record[j]} ≠ ${neutralised}`);
      });
    });
  });

  it('takes the search filters and answers the same events', async () => {
    const cases: Record<string, string>[] = [
      { event_type: 'login,logout' },
      { user_id: 'u7' },
      { actor_id: 'a3', event_type: 'token_created' },
      { ip: '10.1.0.0/16' },
      { ip: '2001:db8::1' },
      { country_code: 'de' },
      { is_reported: 'true' },
      {
        from: new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 19) + 'Z',
        to: new Date(Date.now() - 86_400_000).toISOString().slice(0, 19) + 'Z',
      },
    ];
    for (const filters of cases) {
      const records = parseCsv((await read(exporter.csv(reader(), filters))).text).slice(1);
      const ids = (await searched(filters)).map((e) => e.id);
      expect({ filters, ids: records.map((r) => r[0]) }).toEqual({ filters, ids });
      expect(ids.length).toBeGreaterThan(0);
    }
    // Nothing matches: the header alone.
    expect((await read(exporter.csv(reader(), { user_id: 'nobody' }))).text).toBe(
      `${AUDIT_COLUMN_NAMES.join(',')}\r\n`,
    );
  });

  it('records each export, and whether it was read to the end', async () => {
    await read(exporter.csv(reader(), { user_id: 'u1' }));
    await stopEarly(exporter.csv(reader()));
    const events = (await t.events('data_exported')).slice(-2);
    expect(events.map((e) => e.metadata)).toEqual([
      { export: 'audit_events', format: 'csv', filters: { user_id: 'u1' }, rows: 60, complete: true },
      { export: 'audit_events', format: 'csv', filters: {}, rows: 1000, complete: false },
    ]);
    expect(events[0]).toMatchObject({ resource_type: 'audit_event', source_service: 'admin' });
  });

  it('gives its connection back when the reader stops early, however often', async () => {
    // The pool holds 4 connections: a leak would leave the last query waiting.
    for (let i = 0; i < 8; i += 1) await stopEarly(exporter.csv(reader()));
    const abandoned = exporter.csv(reader());
    abandoned.destroy();
    await new Promise((resolve) => abandoned.once('close', resolve));
    // The audit writer's own transactions (the exports' data_exported events) are not what is looked for.
    await t.audit.flush();
    const { rows } = await t.db.raw(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE ?`,
      ['idle in transaction%'],
    );
    expect(rows[0].n).toBe(0);
    expect((await t.db.raw('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
  });

  it('refuses callers without audit:read and bad filters before streaming anything', () => {
    const refusal = (work: () => unknown) => {
      try {
        work();
      } catch (err) {
        return { code: (err as AppError).code, status: (err as AppError).status };
      }
      throw new Error('expected a refusal');
    };
    expect(refusal(() => exporter.csv(t.actor(['users:read'])))).toEqual({
      code: 'auth.forbidden',
      status: 403,
    });
    for (const filters of [{ ip: 'nope' }, { event_type: 'nope' }, { limit: '5' }, { from: 'yesterday' }])
      expect(refusal(() => exporter.csv(reader(), filters))).toEqual({
        code: 'request.validation_failed',
        status: 400,
      });
  });

  it('quotes and neutralises single fields', () => {
    expect(csvField(null)).toBe('');
    expect(csvField(true)).toBe('true');
    expect(csvField('=1+1')).toBe("'=1+1");
    expect(csvField('-a,b')).toBe(`"'-a,b"`);
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('a\r\nb')).toBe('"a\r\nb"');
    expect(csvField('a=b')).toBe('a=b');
  });
});
