import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createDeflateRaw } from 'node:zlib';
import type { Knex } from 'knex';
import { to as copyTo } from 'pg-copy-streams';
import { exportFiles, keysetRows } from '../core/accounts/export-archive.js';
import { exportKey } from '../core/accounts/export.js';
import { copyAuditRows, toAuditRow } from '../core/audit/rows.js';
import { acquireConnection, releaseConnection } from '../core/db/knex-internals.js';
import { createLogger } from '../core/logger/logger.js';
import { startPlatform, type RunningPlatform } from '../server/start.js';
import { benchConfig } from './config.js';
import { benchApiKey } from './fixtures.js';

/**
 * A person's data export with many audit events against one with few, in the same process run: two users, one with
 * BENCH_EXPORT_SMALL (1,000) audit events and one with BENCH_EXPORT_LARGE (100,000), each exported through
 * `POST /v1/user/export` and the service's queue until the zip is in the storage driver. Every job runs in a fresh
 * child process (--expose-gc) with a platform of its own on this run's databases, after a warm-up export there, so
 * that neither the seeding nor the other job leaves the allocator memory it could reuse. Measured per job: wall
 * time, and peak RSS (and heap) added, sampled every 10 ms from just before the request (after a GC) to the job's
 * end. The floor: a plain `COPY (SELECT * … WHERE user_id = … OR actor_id = …) TO STDOUT` of the same rows,
 * streamed and discarded. Goals: peak RSS added with 100,000 ≤ 1.2 × with 1,000 (memory stays flat), export
 * time ≤ 2 × the COPY. To tell what the time goes to, the audit file alone is also read three ways: its pages of
 * rows (discarded), its JSON text, and that text deflated as yazl does. BENCH_EXPORT_RUNS (2) repeats it all.
 */
export interface ExportBenchOptions {
  small: number;
  large: number;
  runs: number;
}

export interface ExportJob {
  events: number;
  ms: number;
  /** RSS just before the job (after the warm-up export and a GC). */
  rssBaseMb: number;
  rssAddedMb: number;
  heapAddedMb: number;
  zipMb: number;
}

export interface ExportRun {
  small: ExportJob;
  large: ExportJob;
  /** The large user's rows: COPY TO STDOUT, the pages alone, their JSON text, that text deflated (ms). */
  copyMs: number;
  /** The size of the audit file's JSON text. */
  jsonMb: number;
  pagesMs: number;
  jsonMs: number;
  deflateMs: number;
}

export const exportBenchOptions = (): ExportBenchOptions => ({
  small: Number(process.env.BENCH_EXPORT_SMALL ?? 1_000),
  large: Number(process.env.BENCH_EXPORT_LARGE ?? 100_000),
  runs: Number(process.env.BENCH_EXPORT_RUNS ?? 2),
});

const MB = 1024 * 1024;
const round1 = (n: number) => Math.round(n * 10) / 10;
const elapsedMs = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

/** A user with an API key, and `events` audit events about them (COPY, in batches; not measured). */
async function seedUser(platform: RunningPlatform, tag: string, events: number) {
  const username = `bench-export-${Date.now().toString(36)}-${tag}`;
  const { key } = await benchApiKey(platform.databases.primary, { username });
  const user = await platform.databases.primary('User').where({ username }).first<{ id: string }>('id');
  const userId = user!.id;
  for (let first = 0; first < events; first += 20_000) {
    const rows = Array.from({ length: Math.min(20_000, events - first) }, (_, j) =>
      toAuditRow({
        event_type: (first + j) % 3 ? 'api_key_updated' : 'login',
        user_id: userId,
        actor_id: userId,
        resource_type: 'api_key',
        resource_id: `key-${first + j}`,
        ip_address: `10.1.${((first + j) >> 8) & 255}.${(first + j) & 255}`,
        user_agent: 'Mozilla/5.0 (X11; Linux x86_64) heimdall-bench/1.0',
        source_service: 'api',
        metadata: { i: first + j, client_id: 'heimdall-admin' },
      }),
    );
    await copyAuditRows(platform.databases.audit, rows);
  }
  return { key, userId, events };
}

type BenchUser = Awaited<ReturnType<typeof seedUser>>;

/** Samples RSS and heap every 10 ms until stopped; answers the peaks added over the values it started from. */
function sampleMemory() {
  const base = process.memoryUsage();
  let rss = base.rss;
  let heap = base.heapUsed;
  const sample = () => {
    const m = process.memoryUsage();
    rss = Math.max(rss, m.rss);
    heap = Math.max(heap, m.heapUsed);
  };
  const timer = setInterval(sample, 10);
  return () => {
    clearInterval(timer);
    sample();
    return {
      rssBaseMb: round1(base.rss / MB),
      rssAddedMb: round1((rss - base.rss) / MB),
      heapAddedMb: round1((heap - base.heapUsed) / MB),
    };
  };
}

const gc = () => (globalThis as { gc?: () => void }).gc?.();

/** One export, requested over HTTP and awaited in the service's queue. */
async function exportJob(platform: RunningPlatform, user: BenchUser): Promise<ExportJob> {
  gc();
  const stop = sampleMemory();
  const start = process.hrtime.bigint();
  const res = await fetch(`${platform.url}/v1/user/export`, {
    method: 'POST',
    headers: { authorization: `Bearer ${user.key}` },
  });
  if (res.status !== 202) throw new Error(`POST /v1/user/export answered ${res.status}`);
  const { id } = (await res.json()) as { id: string };
  await platform.services.dataExport.idle();
  const ms = elapsedMs(start);
  const memory = stop();
  const row = await platform.databases
    .primary('DataExport')
    .where({ id })
    .first<{ status: string; size_bytes: string }>('status', 'size_bytes');
  if (row?.status !== 'done') throw new Error(`The export ended ${row?.status}`);
  await platform.services.storageDriver.delete(exportKey(user.userId, id));
  return { events: user.events, ms: round1(ms), ...memory, zipMb: round1(Number(row.size_bytes) / MB) };
}

/** The floor: the same rows and columns in one COPY … TO STDOUT, streamed and discarded. */
async function copyMs(auditDb: Knex, userId: string): Promise<number> {
  const client = await acquireConnection(auditDb);
  try {
    const id = auditDb.raw('?', [userId]).toString();
    const start = process.hrtime.bigint();
    const sink = new Writable({ write: (_chunk, _encoding, callback) => callback() });
    await pipeline(
      client.query(
        copyTo(`COPY (SELECT * FROM "AuditEvent" WHERE user_id = ${id} OR actor_id = ${id}) TO STDOUT`),
      ),
      sink,
    );
    return round1(elapsedMs(start));
  } finally {
    await releaseConnection(auditDb, client);
  }
}

/** The audit file's parts alone: its pages of rows, its JSON text, that text deflated (ms each). */
async function auditFileMs(platform: RunningPlatform, userId: string) {
  const { primary, audit } = platform.databases;
  const file = exportFiles(primary, audit).find((f) => f.name === 'audit-events.json')!;
  let start = process.hrtime.bigint();
  const pages = keysetRows(audit, 'AuditEvent', () =>
    audit('AuditEvent')
      .where((q) => q.where({ user_id: userId }).orWhere({ actor_id: userId }))
      .select('*'),
  );
  for await (const _row of pages);
  const pagesMs = elapsedMs(start);
  start = process.hrtime.bigint();
  let chars = 0;
  for await (const text of file.write(userId)) chars += text.length;
  const jsonMs = elapsedMs(start);
  start = process.hrtime.bigint();
  const discard = new Writable({ write: (_chunk, _encoding, callback) => callback() });
  await pipeline(Readable.from(file.write(userId)), createDeflateRaw(), discard);
  const deflateMs = elapsedMs(start);
  return {
    pagesMs: round1(pagesMs),
    jsonMs: round1(jsonMs),
    deflateMs: round1(deflateMs),
    jsonMb: round1(chars / MB),
  };
}

/** One job in a fresh child process (--expose-gc) of its own platform, after a warm-up export there. */
async function childJob(databaseUrl: string, warm: BenchUser, user: BenchUser): Promise<ExportJob> {
  const child = spawn(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), 'job'], {
    env: {
      ...process.env,
      HEIMDALL__DATABASE__URL: databaseUrl,
      BENCH_EXPORT_JOB: JSON.stringify({ warm, user }),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`The export child exited with ${code}`);
  return JSON.parse(out.trim().split('\n').at(-1)!) as ExportJob;
}

/** The child's part: its own platform on the parent's databases, a warm-up export, then the measured one. */
async function runChildJob(): Promise<void> {
  const { warm, user } = JSON.parse(process.env.BENCH_EXPORT_JOB!) as { warm: BenchUser; user: BenchUser };
  const platform = await startPlatform({
    config: exportConfig(),
    logger: createLogger('silent'),
    roles: ['api'],
  });
  try {
    await exportJob(platform, warm); // JIT, connection pools, the storage driver's directories
    console.log(JSON.stringify(await exportJob(platform, user)));
  } finally {
    await platform.stop();
  }
}

const exportConfig = () => benchConfig({ HEIMDALL__RATE_LIMIT__ENABLED: 'false' });

export async function runExportBench(options: ExportBenchOptions): Promise<ExportRun[]> {
  const platform = await startPlatform({
    config: exportConfig(),
    logger: createLogger('silent'),
    roles: ['api'],
  });
  try {
    const runs: ExportRun[] = [];
    for (let run = 0; run < options.runs; run += 1) {
      const small = await seedUser(platform, `s${run}`, options.small);
      const large = await seedUser(platform, `l${run}`, options.large);
      const warm = await seedUser(platform, `w${run}`, options.small);
      await platform.databases.audit.raw('ANALYZE "AuditEvent"');
      const url = platform.databases.primaryUrl;
      runs.push({
        small: await childJob(url, warm, small),
        large: await childJob(url, warm, large),
        copyMs: await copyMs(platform.databases.audit, large.userId),
        ...(await auditFileMs(platform, large.userId)),
      });
    }
    return runs;
  } finally {
    await platform.stop();
  }
}

export function printExportBench(runs: readonly ExportRun[], options: ExportBenchOptions): void {
  console.log(
    `\nData export: ${options.small} against ${options.large} audit events, node ${process.version}`,
  );
  console.log(
    '| run | events | export ms | RSS before MB | peak RSS added MB | peak heap added MB | zip MB | JSON MB | COPY ms | pages ms | + JSON ms | + deflate ms |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  runs.forEach((r, i) => {
    for (const job of [r.small, r.large]) {
      const parts =
        job === r.large ? [r.jsonMb, r.copyMs, r.pagesMs, r.jsonMs, r.deflateMs] : ['', '', '', '', ''];
      console.log(
        `| ${i + 1} | ${job.events} | ${job.ms} | ${job.rssBaseMb} | ${job.rssAddedMb} | ${job.heapAddedMb} | ${job.zipMb} | ${parts.join(' | ')} |`,
      );
    }
  });
  console.log(
    '\n| run | RSS added large ÷ small (goal ≤ 1.2) | heap added large ÷ small | export ÷ COPY (goal ≤ 2) |',
  );
  console.log('|---|---:|---:|---:|');
  runs.forEach((r, i) => {
    const rss = r.large.rssAddedMb / Math.max(r.small.rssAddedMb, 0.1);
    const heap = r.large.heapAddedMb / Math.max(r.small.heapAddedMb, 0.1);
    console.log(
      `| ${i + 1} | ${rss.toFixed(2)} | ${heap.toFixed(2)} | ${(r.large.ms / r.copyMs).toFixed(1)} |`,
    );
  });
}

// `node dist/bench/export.js` runs this part alone (`npm run bench` runs it with the others).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv[2] === 'job') await runChildJob();
  else printExportBench(await runExportBench(exportBenchOptions()), exportBenchOptions());
}
