import { beforeAll, describe, expect, it } from '@jest/globals';
import { createMigrator } from '../db/migrate.js';
import { useTestDatabase } from '../../test/support/knex.js';
import { copyAuditRows, insertAuditRows, toAuditRecord, toAuditRow, type AuditRow } from './rows.js';

const settings = {
  retentionDays: 365,
  compressionAfterDays: 30,
  chunkIntervalDays: 7,
  partitionsAheadWeeks: 4,
};

/** COPY's text encoding (core/audit/rows.ts) stores every value as given, whatever characters it holds. */
describe('audit rows on real PostgreSQL', () => {
  const t = useTestDatabase();
  beforeAll(async () => {
    await createMigrator(t.db, 'audit', settings).up();
  });

  const stored = async (ids: string[]) => {
    const rows = await t.db('AuditEvent').whereIn('id', ids).orderBy('created_at');
    return rows.map((r: Record<string, unknown>) => ({ ...r, created_at: undefined }));
  };
  const expected = (rows: AuditRow[]) => rows.map((r) => ({ ...toAuditRecord(r), created_at: undefined }));

  it('COPY and INSERT store the same values, escapes and all', async () => {
    const make = (tag: string) => [
      toAuditRow({
        event_type: 'login_failed',
        status: 'failure',
        user_id: `u\\1\t${tag}`,
        user_agent: 'tab\there\nnewline\r\nCRLF \\N not null \\\\ two',
        description: `${tag} \u2028 "quoted" é`,
        error_message: '\\',
        ip_address: '::1',
        metadata: { text: 'a\tb\nc\\d"e', n: 1.5, nested: [null, true] },
        is_reported: true,
      }),
      toAuditRow({ event_type: 'token_created', source_service: 'id', metadata: {} }),
    ];
    const copied = make('copy');
    const inserted = make('insert');
    expect(await copyAuditRows(t.db, copied)).toBe(2);
    expect(await insertAuditRows(t.db, inserted)).toBe(2);
    expect(await stored(copied.map((r) => r.id))).toEqual(expected(copied));
    expect(await stored(inserted.map((r) => r.id))).toEqual(expected(inserted));
  });
});
