import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { geoEnricher } from '../core/audit/logger.js';
import { copyAuditRows, toAuditRow } from '../core/audit/rows.js';
import { createAuditSpool } from '../core/audit/spool.js';
import { createAuditWriter, type AuditWriterOptions } from '../core/audit/writer.js';
import { createGeoIp } from '../core/geoip/reader.js';

/**
 * Audit ingest: sustained events/s through the writer, against a raw COPY of the same rows in the same
 * run, and what record() costs its caller. Events arrive in bursts of 1,000 with the event loop free in between,
 * as a busy server would produce them.
 */
export interface AuditBenchResult {
  events: number;
  writerPerSec: number;
  /** The writer with GeoIP enrichment on the test database, every event from a different public address. */
  writerGeoPerSec: number;
  copyPerSec: number;
  recordP50Us: number;
  recordP99Us: number;
}

const event = (i: number, tag: string, ip = `10.0.${(i >> 8) & 255}.${i & 255}`) => ({
  event_type: 'api_key_updated' as const,
  user_id: `bench-user-${i % 1000}`,
  actor_id: `api_key:bench-${i % 50}`,
  resource_type: 'api_key',
  resource_id: `key-${i}`,
  ip_address: ip,
  user_agent: 'heimdall-bench/1.0',
  description: tag,
  source_service: 'api' as const,
  metadata: { i, rotated: true },
});

const yieldLoop = () => new Promise((r) => setImmediate(r));

/** Public addresses, all different (past the lookup cache): some in the fixture's networks, most unknown. */
const publicIp = (i: number) =>
  i % 4 === 0
    ? `81.2.69.${142 + (i & 1)}`
    : `${81 + (i % 50)}.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

async function measureWriter(
  db: Knex,
  events: number,
  geo?: Pick<AuditWriterOptions, 'enrich'>,
): Promise<{ perSec: number; p50: number; p99: number }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'heimdall-bench-spool-'));
  const writer = createAuditWriter({ db, spool: createAuditSpool(dir), ...geo });
  const costs = new Float64Array(events);
  const start = process.hrtime.bigint();
  for (let i = 0; i < events; i += 1) {
    const t0 = process.hrtime.bigint();
    writer.record(event(i, 'bench-writer', geo ? publicIp(i) : undefined));
    costs[i] = Number(process.hrtime.bigint() - t0) / 1000;
    if (i % 1000 === 999) await yieldLoop();
  }
  await writer.close();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const spooled = writer.stats().spooled;
  rmSync(dir, { recursive: true, force: true });
  if (spooled > 0) throw new Error(`the writer spooled ${spooled} events: the database fell behind`);
  costs.sort();
  return {
    perSec: Math.round(events / seconds),
    p50: costs[Math.floor(events * 0.5)]!,
    p99: costs[Math.floor(events * 0.99)]!,
  };
}

/** The yardstick: every row in one COPY, prepared beforehand (no validation, no batching). */
async function measureCopy(db: Knex, events: number): Promise<number> {
  const rows = Array.from({ length: events }, (_, i) => toAuditRow(event(i, 'bench-copy')));
  const start = process.hrtime.bigint();
  await copyAuditRows(db, rows);
  return Math.round(events / (Number(process.hrtime.bigint() - start) / 1e9));
}

export async function runAuditBench(db: Knex, events: number): Promise<AuditBenchResult> {
  await measureWriter(db, Math.min(events, 20_000)); // warm-up
  const writer = await measureWriter(db, events);
  const geoip = createGeoIp({
    database: path.resolve('test/fixtures/geoip/GeoLite2-City-Test.mmdb'),
    checkIntervalMs: 0,
    log: { info: () => undefined, warn: () => undefined },
  });
  const withGeo = await measureWriter(db, events, { enrich: geoEnricher(geoip) });
  const copyPerSec = await measureCopy(db, events);
  await db('AuditEvent').whereIn('description', ['bench-writer', 'bench-copy']).delete();
  return {
    events,
    writerPerSec: writer.perSec,
    writerGeoPerSec: withGeo.perSec,
    copyPerSec,
    recordP50Us: Math.round(writer.p50 * 10) / 10,
    recordP99Us: Math.round(writer.p99 * 10) / 10,
  };
}
