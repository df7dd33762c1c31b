import { mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { Knex } from 'knex';
import pg from 'pg';
import { createAuditSpool } from '../../core/audit/spool.js';
import { createAuditWriter, type AuditLogger } from '../../core/audit/writer.js';
import { insertAuditRows, toAuditRow } from '../../core/audit/rows.js';
import { createMigrator } from '../../core/db/migrate.js';
import { createKnex } from '../../core/db/knex.js';
import { AppError } from '../../core/errors/index.js';
import { testServerUrl } from '../support/database.js';
import { useTestDatabase } from '../support/knex.js';

const settings = {
  retentionDays: 365,
  compressionAfterDays: 30,
  chunkIntervalDays: 7,
  partitionsAheadWeeks: 4,
};

describe('audit writer on real PostgreSQL', () => {
  const t = useTestDatabase();
  const open: { writer: AuditLogger; db?: Knex }[] = [];
  beforeAll(async () => {
    await createMigrator(t.db, 'audit', settings).up();
  });
  afterEach(async () => {
    for (const { writer, db } of open.splice(0)) {
      await writer.close().catch(() => undefined);
      await db?.destroy();
    }
    await setConnections(true);
  });

  const spoolDir = () => mkdtempSync(path.join(os.tmpdir(), 'heimdall-spool-test-'));
  /** A writer on its own pool, so that an outage can cut its connections. */
  function writer(options: Partial<Parameters<typeof createAuditWriter>[0]> & { dir?: string } = {}) {
    const db = createKnex(t.database.url, { min: 0, max: 2 });
    const w = createAuditWriter({
      db,
      spool: createAuditSpool(options.dir ?? spoolDir()),
      flushIntervalMs: 20,
      replayIntervalMs: 50,
      ...options,
    });
    open.push({ writer: w, db });
    return w;
  }

  /** A real outage: the database refuses new connections and its open ones are cut. */
  async function setConnections(allowed: boolean): Promise<void> {
    const admin = new pg.Client({ connectionString: testServerUrl() });
    await admin.connect();
    try {
      await admin.query(`ALTER DATABASE "${t.database.name}" WITH ALLOW_CONNECTIONS ${allowed}`);
      if (!allowed) {
        await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [
          t.database.name,
        ]);
      }
    } finally {
      await admin.end();
    }
  }

  const count = async (tag: string) =>
    Number((await t.db('AuditEvent').where('description', tag).count({ n: '*' }))[0]!.n);
  const event = (tag: string, i = 0) => ({
    event_type: 'login' as const,
    user_id: `user-${i}`,
    description: tag,
    source_service: 'api' as const,
    metadata: { i },
  });

  it('batches by size, keeps the recorded order and returns ids at once', async () => {
    const w = writer({ batchSize: 500 });
    const ids = Array.from({ length: 1200 }, (_, i) => w.record(event('order', i)));
    expect(new Set(ids).size).toBe(1200);
    await w.flush();
    const rows = await t.db('AuditEvent').where('description', 'order').orderBy(['created_at', 'id']);
    expect(rows).toHaveLength(1200);
    expect(rows.map((r: { metadata: { i: number } }) => r.metadata.i)).toEqual(
      Array.from({ length: 1200 }, (_, i) => i),
    );
    expect(w.stats()).toMatchObject({ buffered: 0, spooled: 0, inserted: 1200 });
  });

  it('writes a lone event by age, without a flush call', async () => {
    const w = writer({ flushIntervalMs: 30 });
    w.record(event('age'));
    for (let i = 0; i < 50 && (await count('age')) === 0; i += 1) await new Promise((r) => setTimeout(r, 20));
    expect(await count('age')).toBe(1);
  });

  it('refuses bad events with the field named', () => {
    const w = writer();
    let error: unknown;
    try {
      w.record({ event_type: 'nope', source_service: 'elsewhere' } as never);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).details?.fields).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'event_type' }),
        expect.objectContaining({ field: 'source_service' }),
      ]),
    );
  });

  it('spools while the database is unreachable and replays every event exactly once, in order', async () => {
    const dir = spoolDir();
    const w = writer({ dir });
    await setConnections(false);
    for (let i = 0; i < 300; i += 1) w.record(event('outage', i));
    await w.flush();
    expect(w.stats().spooled).toBe(300);
    expect(readdirSync(dir).length).toBeGreaterThan(0);
    // Recorded while spooling: they queue behind the spool, not ahead of it.
    for (let i = 300; i < 350; i += 1) w.record(event('outage', i));
    await w.flush();

    await setConnections(true);
    for (let i = 0; i < 100 && !(await w.drain()); i += 1) await new Promise((r) => setTimeout(r, 50));
    const rows = await t.db('AuditEvent').where('description', 'outage').orderBy(['created_at', 'id']);
    expect(rows.map((r: { metadata: { i: number } }) => r.metadata.i)).toEqual(
      Array.from({ length: 350 }, (_, i) => i),
    );
    expect(readdirSync(dir)).toEqual([]);
  });

  it('does not duplicate events when a crash came between insert and spool cleanup', async () => {
    const dir = spoolDir();
    const spool = createAuditSpool(dir);
    const rows = Array.from({ length: 40 }, (_, i) => toAuditRow(event('crash', i)));
    await spool.append(rows);
    // The crashed process had inserted half of the segment before dying.
    await insertAuditRows(t.db, rows.slice(0, 20));
    const w = writer({ dir });
    expect(await w.drain()).toBe(true);
    expect(await count('crash')).toBe(40);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('bounds memory: at max_buffered the queue goes to the spool, nothing is dropped', async () => {
    const w = writer({ maxBuffered: 100, flushIntervalMs: 60_000, batchSize: 1000 });
    await setConnections(false);
    for (let i = 0; i < 250; i += 1) w.record(event('bound', i));
    expect(w.stats()).toMatchObject({ buffered: 50, spooled: 200 });
    await setConnections(true);
    for (let i = 0; i < 100 && !(await w.drain()); i += 1) await new Promise((r) => setTimeout(r, 50));
    expect(await count('bound')).toBe(250);
  });

  it('flushes everything on close', async () => {
    const w = writer({ flushIntervalMs: 60_000 });
    for (let i = 0; i < 300; i += 1) w.record(event('close', i));
    await w.close();
    expect(await count('close')).toBe(300);
  });

  it('loses nothing under load when PostgreSQL goes away and comes back midway', async () => {
    const w = writer({ replayIntervalMs: 100 });
    const total = 20_000;
    let spooledAtMost = 0;
    for (let i = 0; i < total; i += 1) {
      spooledAtMost = Math.max(spooledAtMost, w.stats().spooled);
      w.record(event('fault', i));
      if (i === 5_000) await setConnections(false);
      if (i === 12_000) setTimeout(() => void setConnections(true), 300);
      // Yield now and then, as a server would between requests.
      if (i % 500 === 0) await new Promise((r) => setImmediate(r));
    }
    await new Promise((r) => setTimeout(r, 400));
    for (let i = 0; i < 200 && !(await w.drain()); i += 1) await new Promise((r) => setTimeout(r, 50));
    expect(spooledAtMost).toBeGreaterThan(1000); // the outage really sent events to the spool
    expect(await count('fault')).toBe(total);
    const distinct = await t.db('AuditEvent').where('description', 'fault').countDistinct({ n: 'id' });
    expect(Number(distinct[0]!.n)).toBe(total);
  }, 60_000);
});
