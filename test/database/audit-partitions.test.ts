import { beforeAll, describe, expect, it } from '@jest/globals';
import { runAuditHousekeeping } from '../../core/audit/housekeeping.js';
import { createMigrator } from '../../core/db/migrate.js';
import { useTestDatabase } from '../support/knex.js';

const settings = {
  retentionDays: 365,
  compressionAfterDays: 30,
  chunkIntervalDays: 7,
  partitionsAheadWeeks: 4,
};
const WEEK = 7 * 24 * 3600 * 1000;

describe('AuditEvent on plain PostgreSQL', () => {
  const t = useTestDatabase();
  beforeAll(async () => {
    await createMigrator(t.db, 'audit', settings).up();
  });

  async function partitions(): Promise<string[]> {
    const { rows } = await t.db.raw<{ rows: { name: string }[] }>(`
      SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = '"AuditEvent"'::regclass ORDER BY 1`);
    return rows.map((r) => r.name);
  }

  const partitionOf = async (id: string): Promise<string> =>
    (await t.db.raw(`SELECT tableoid::regclass::text AS part FROM "AuditEvent" WHERE id = ?`, [id])).rows[0]
      .part;

  it('is range-partitioned by week with partitions ahead and a default partition', async () => {
    const { rows } = await t.db.raw(
      `SELECT partstrat FROM pg_partitioned_table WHERE partrelid = '"AuditEvent"'::regclass`,
    );
    expect(rows).toEqual([{ partstrat: 'r' }]);
    const names = await partitions();
    // last week, this week and 4 weeks ahead, plus the default.
    expect(names.filter((n) => /^AuditEvent_p\d{8}$/.test(n))).toHaveLength(6);
    expect(names).toContain('AuditEvent_default');
  });

  it('routes an event to its week, and an out-of-range one to the default partition', async () => {
    const [now] = await t.db('AuditEvent').insert({ event_type: 'login' }).returning('id');
    expect(await partitionOf(now.id)).toMatch(/^"AuditEvent_p\d{8}"$/);
    const old = new Date(Date.now() - 20 * WEEK);
    const [past] = await t.db('AuditEvent').insert({ event_type: 'login', created_at: old }).returning('id');
    expect(await partitionOf(past.id)).toBe('"AuditEvent_default"');
  });

  it('moves rows out of the default partition when their week gets a partition', async () => {
    const inNineWeeks = new Date(Date.now() + 9 * WEEK);
    const [future] = await t
      .db('AuditEvent')
      .insert({ event_type: 'logout', created_at: inNineWeeks })
      .returning('id');
    expect(await partitionOf(future.id)).toBe('"AuditEvent_default"');
    const created = (await t.db.raw(`SELECT heimdall_audit_ensure_partitions(0, 10) AS n`)).rows[0].n;
    expect(created).toBe(6);
    expect(await partitionOf(future.id)).toMatch(/^"AuditEvent_p\d{8}"$/);
    expect(await t.db('AuditEvent').where({ id: future.id })).toHaveLength(1);
  });

  it('drops partitions and default rows past retention', async () => {
    await t.db.raw(`SELECT heimdall_audit_ensure_partitions(60, 0)`);
    const before = await partitions();
    const dropped = (await t.db.raw(`SELECT heimdall_audit_drop_partitions(100) AS n`)).rows[0].n;
    expect(dropped).toBeGreaterThan(40);
    expect((await partitions()).length).toBe(before.length - dropped);
    const remaining = await t
      .db('AuditEvent')
      .where('created_at', '<', new Date(Date.now() - 100 * 86400_000));
    expect(remaining).toEqual([]);
  });
});

describe('audit housekeeping on plain PostgreSQL (the scheduler job)', () => {
  const t = useTestDatabase();
  beforeAll(async () => {
    await createMigrator(t.db, 'audit', settings).up();
  });

  const weekly = async (): Promise<string[]> =>
    (
      await t.db.raw<{ rows: { name: string }[] }>(`
        SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = '"AuditEvent"'::regclass AND c.relname ~ '^AuditEvent_p' ORDER BY 1`)
    ).rows.map((r) => r.name);

  const mondayUtc = (weeksFromNow: number): string => {
    const d = new Date();
    d.setUTCHours(0, 0, 0, 0);
    d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7) + 7 * weeksFromNow);
    return `AuditEvent_p${d.toISOString().slice(0, 10).replace(/-/g, '')}`;
  };

  it('creates the coming weeks as configured, and is a no-op when run again', async () => {
    const first = await runAuditHousekeeping(t.db, { ...settings, partitionsAheadWeeks: 8 });
    expect(first).toEqual({ storage: 'partitions', created: 4, dropped: 0 });
    const names = await weekly();
    for (let w = -1; w <= 8; w += 1) expect(names).toContain(mondayUtc(w));
    expect(await runAuditHousekeeping(t.db, { ...settings, partitionsAheadWeeks: 8 })).toEqual({
      storage: 'partitions',
      created: 0,
      dropped: 0,
    });
  });

  it('drops partitions past retention with their events, and keeps the rest', async () => {
    await t.db.raw(`SELECT heimdall_audit_ensure_partitions(20, 0)`);
    const old = new Date(Date.now() - 15 * WEEK);
    const recent = new Date(Date.now() - 2 * WEEK);
    await t.db('AuditEvent').insert([
      { event_type: 'login', created_at: old },
      { event_type: 'login', created_at: recent },
    ]);
    const result = await runAuditHousekeeping(t.db, { ...settings, retentionDays: 70 });
    expect(result).toMatchObject({ storage: 'partitions' });
    // Weeks ending more than 70 days ago: 20 weeks back, minus the ones still partly inside the window.
    expect((result as { dropped: number }).dropped).toBeGreaterThanOrEqual(9);
    const names = await weekly();
    expect(names).not.toContain(mondayUtc(-15));
    expect(names).toContain(mondayUtc(-2));
    const left = await t.db('AuditEvent').select('created_at');
    expect(left.map((r: { created_at: Date }) => r.created_at.getTime())).not.toContain(old.getTime());
    expect(left.map((r: { created_at: Date }) => r.created_at.getTime())).toContain(recent.getTime());
  });

  it('steps aside while another node is housekeeping', async () => {
    const other = await t.db.client.acquireConnection();
    try {
      await other.query(`SELECT pg_advisory_lock(hashtext('heimdall:audit-housekeeping'))`);
      expect(await runAuditHousekeeping(t.db, settings)).toEqual({ storage: 'skipped' });
      await other.query(`SELECT pg_advisory_unlock(hashtext('heimdall:audit-housekeeping'))`);
      expect(await runAuditHousekeeping(t.db, settings)).toMatchObject({ storage: 'partitions' });
    } finally {
      await t.db.client.releaseConnection(other);
    }
  });
});
