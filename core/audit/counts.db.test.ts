import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { auditEventCounts } from '../../migrations/audit/0002_audit_event_counts.js';
import { useTestDatabase } from '../../test/support/knex.js';
import { AUDIT_SETTINGS } from '../../test/support/core-services.js';
import { createMigrator } from '../db/migrate.js';
import { runAuditHousekeeping } from './housekeeping.js';
import { createCountQueries } from './counts.js';
import { copyAuditRows, insertAuditRows, toAuditRow, type AuditRow } from './rows.js';
import { createAuditSpool } from './spool.js';
import { createAuditWriter } from './writer.js';

const HOUR = 3_600_000;
const COUNTRIES = ['DE', 'SE', 'GB', null] as const;

/** The counts as they should be, straight from the events, and as kept. */
const EXACT = {
  hourly: `SELECT event_type, date_trunc('hour', created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS hour,
                  count(*)::bigint AS count
             FROM "AuditEvent" GROUP BY 1, 2 ORDER BY 1, 2`,
  daily: `SELECT event_type, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day,
                 coalesce(country_code::text, '') AS country_code, count(*)::bigint AS count
            FROM "AuditEvent" GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
};
const KEPT = {
  hourly: `SELECT event_type, hour, count FROM "AuditEventHourly" ORDER BY 1, 2`,
  daily: `SELECT event_type, to_char(day, 'YYYY-MM-DD') AS day, country_code, count FROM "AuditEventDaily"
           ORDER BY 1, 2, 3`,
};

describe('audit event counts', () => {
  const t = useTestDatabase();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'heimdall-hourly-spool-'));
  const rowsOf = async (sql: string) => (await t.db.raw<{ rows: Record<string, unknown>[] }>(sql)).rows;
  /** Both tables against the events, and how many events they hold. */
  const matches = async () => {
    const [hourly, daily, wantHourly, wantDaily] = await Promise.all(
      [KEPT.hourly, KEPT.daily, EXACT.hourly, EXACT.daily].map(rowsOf),
    );
    expect(hourly).toEqual(wantHourly);
    expect(daily).toEqual(wantDaily);
    return wantHourly!.reduce((sum, r) => sum + Number(r.count), 0);
  };
  const kept = async () => [await rowsOf(KEPT.hourly), await rowsOf(KEPT.daily)];
  /** An event `hoursAgo` hours ago (spread inside the hour), from one of a few countries. */
  const event = (i: number, type: 'login' | 'login_failed' | 'logout', hoursAgo: number): AuditRow => {
    const row = toAuditRow({
      event_type: type,
      user_id: `u${i}`,
      created_at: new Date(Date.now() - hoursAgo * HOUR - (i % 50) * 60_000).toISOString(),
    });
    row.country_code = COUNTRIES[i % COUNTRIES.length] ?? null;
    return row;
  };
  const batch = (n: number, offset = 0) =>
    Array.from({ length: n }, (_, i) =>
      event(offset + i, (['login', 'login', 'login_failed', 'logout'] as const)[i % 4]!, (offset + i) % 30),
    );

  beforeAll(async () => {
    await createMigrator(t.db, 'audit', AUDIT_SETTINGS).up();
  });
  beforeEach(async () => {
    await t.db.raw(`TRUNCATE "AuditEvent", "AuditEventHourly", "AuditEventDaily"`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('counts what COPY and INSERT store, and a replayed batch only once', async () => {
    const rows = batch(600);
    expect(await copyAuditRows(t.db, rows.slice(0, 400))).toBe(400);
    // A replay of a spool segment partly stored already: only the new rows are stored and counted.
    expect(await insertAuditRows(t.db, rows.slice(300))).toBe(200);
    expect(await insertAuditRows(t.db, rows)).toBe(0);
    expect(await matches()).toBe(600);
  });

  it('counts nothing of a COPY that failed', async () => {
    await copyAuditRows(t.db, batch(10));
    const before = await kept();
    const bad = batch(10, 10);
    bad[5] = { ...bad[5]!, ip_address: 'not an address' };
    await expect(copyAuditRows(t.db, bad)).rejects.toMatchObject({ code: '22P02' });
    expect(await kept()).toEqual(before);
  });

  it('stays exact through the writer, its row-by-row retry included', async () => {
    const refused: AuditRow[] = [];
    const writer = createAuditWriter({
      db: t.db,
      spool: createAuditSpool(dir),
      batchSize: 100,
      enrich: (row) => {
        const i = Number(row.user_id?.slice(1));
        row.country_code = COUNTRIES[i % COUNTRIES.length] ?? null;
        // One bad row in the first batch sends that batch down the row-by-row path.
        if (i === 7) row.ip_address = 'nope';
      },
      onRejected: (row) => refused.push(row),
    });
    for (let i = 0; i < 450; i += 1) {
      writer.record({
        event_type: i % 3 ? 'login' : 'login_failed',
        user_id: `u${i}`,
        created_at: new Date(Date.now() - (i % 5) * HOUR).toISOString(),
      });
    }
    await writer.close();
    expect(refused).toHaveLength(1);
    expect(await matches()).toBe(449);
  });

  it('is filled from the stored events by its migration', async () => {
    await auditEventCounts.down(t.db);
    const rows = batch(300);
    await t
      .db('AuditEvent')
      .insert(rows.map((r) => ({ ...r, metadata: JSON.parse(r.metadata) as Record<string, unknown> })));
    await auditEventCounts.up(t.db);
    expect(await matches()).toBe(300);
  });

  it('answers per hour and per country, and housekeeping drops what is past retention', async () => {
    await copyAuditRows(t.db, batch(200));
    const counts = createCountQueries(t.db);
    const to = new Date(Math.ceil(Date.now() / HOUR) * HOUR);
    const perHour = await counts.perHour(['login'], new Date(to.getTime() - 168 * HOUR), to);
    expect(perHour.reduce((sum, r) => sum + r.count, 0)).toBe(100);
    expect(perHour.every((r) => r.event_type === 'login' && r.hour.endsWith(':00:00.000Z'))).toBe(true);
    const days = (ago: number) => new Date(Date.now() - ago * 24 * HOUR).toISOString().slice(0, 10);
    expect(await counts.perCountry('login', days(6), days(0))).toEqual([
      { country_code: 'DE', count: 50 },
      { country_code: 'SE', count: 50 },
    ]);
    expect(await counts.perCountry('logout', days(6), days(0))).toEqual([{ country_code: null, count: 50 }]);
    expect(await counts.perCountry('logout', days(30), days(10))).toEqual([]);

    const old = new Date(Date.now() - 400 * 24 * HOUR);
    await t
      .db('AuditEventHourly')
      .insert({ event_type: 'login', hour: new Date(Math.floor(old.getTime() / HOUR) * HOUR), count: 3 });
    await t
      .db('AuditEventDaily')
      .insert({ event_type: 'login', day: old.toISOString().slice(0, 10), count: 3 });
    await runAuditHousekeeping(t.db, { ...AUDIT_SETTINGS, retentionDays: 365 });
    expect(Number((await t.db('AuditEventHourly').sum({ n: 'count' }))[0]!.n)).toBe(200);
    expect(Number((await t.db('AuditEventDaily').sum({ n: 'count' }))[0]!.n)).toBe(200);
  });
});
