import type { Knex } from 'knex';
import type { AuditEventInput } from '../../schemas/audit.js';
import { copyAuditRows, insertAuditRows, isDataError, toAuditRow, type AuditRow } from './rows.js';
import type { AuditSpool } from './spool.js';

/**
 * The audit writer: `record()` validates and queues in memory, costing the caller microseconds;
 * batches go to the database by size or age in one statement each. When the database cannot take a batch,
 * it goes to the durable spool, and every later batch follows it there until a replay has moved the whole
 * spool into the database, so events arrive in the order they were recorded. Ids and times are fixed at
 * record time and inserts skip rows already stored, so a crash between insert and spool cleanup duplicates
 * nothing. Memory is bounded: at `maxBuffered` queued events, record() moves the queue to the spool
 * synchronously (slower for that call, nothing dropped).
 */
export interface AuditLogger {
  /** Validates (throws `audit.invalid_event`) and queues the event; returns its id at once. */
  record(event: AuditEventInput): string;
  /** Resolves when everything recorded so far is in the database or, if it is unreachable, in the spool. */
  flush(): Promise<void>;
  /** Flushes, then tries to empty the spool into the database once (true when nothing is left anywhere). */
  drain(): Promise<boolean>;
  /** Stops the timers after a final flush; later record() calls still spool, never drop. */
  close(): Promise<void>;
  stats(): AuditWriterStats;
}

export interface AuditWriterStats {
  buffered: number;
  spooled: number;
  inserted: number;
  /** Rows PostgreSQL refused as data (after a row-by-row retry); each was handed to onRejected (logged). */
  rejected: number;
}

export interface AuditWriterOptions {
  db: Knex;
  spool: AuditSpool;
  batchSize?: number;
  flushIntervalMs?: number;
  maxBuffered?: number;
  /** How often to retry the database while events wait in the spool. */
  replayIntervalMs?: number;
  /** Fills GeoIP columns; runs at write time, never on the caller's path. */
  enrich?: (row: AuditRow) => void;
  onError?: (err: unknown, context: string) => void;
  /** Rows PostgreSQL refuses as data are handed here (logged), so one bad row cannot block the spool. */
  onRejected?: (row: AuditRow, err: unknown) => void;
  /** Rows now in the database (live subscribers hear of events once they are stored, never before). */
  onStored?: (rows: readonly AuditRow[]) => void;
}

export function createAuditWriter(options: AuditWriterOptions): AuditLogger {
  const { db, spool } = options;
  const batchSize = options.batchSize ?? 500;
  const flushIntervalMs = options.flushIntervalMs ?? 200;
  const maxBuffered = options.maxBuffered ?? 50_000;
  const replayIntervalMs = options.replayIntervalMs ?? 1000;
  const onError = options.onError ?? (() => undefined);

  let buffer: AuditRow[] = [];
  let timer: NodeJS.Timeout | undefined;
  let replayTimer: NodeJS.Timeout | undefined;
  let closed = false;
  // Every database or spool write runs through this chain: one at a time, in order.
  let chain: Promise<unknown> = Promise.resolve();
  const stats = { inserted: 0, rejected: 0 };

  const stored = (rows: readonly AuditRow[]) => {
    if (rows.length === 0 || !options.onStored) return;
    try {
      options.onStored(rows);
    } catch (err) {
      onError(err, 'audit onStored listener failed');
    }
  };

  const serial = <T>(task: () => Promise<T>): Promise<T> => {
    const run = chain.then(task, task);
    chain = run.catch(() => undefined);
    return run;
  };

  /**
   * Stores rows: a fresh batch with COPY, a replayed one with INSERT … ON CONFLICT DO NOTHING (it may be stored
   * already). Rows PostgreSQL refuses as data are retried one by one and the bad ones set aside.
   */
  async function insert(rows: AuditRow[], fresh: boolean): Promise<void> {
    for (const row of rows) options.enrich?.(row);
    try {
      stats.inserted += fresh ? await copyAuditRows(db, rows) : await insertAuditRows(db, rows);
      stored(rows);
    } catch (err) {
      if (!isDataError(err)) throw err;
      const kept: AuditRow[] = [];
      for (const row of rows) {
        try {
          stats.inserted += await insertAuditRows(db, [row]);
          kept.push(row);
        } catch (rowErr) {
          if (!isDataError(rowErr)) throw rowErr;
          stats.rejected += 1;
          options.onRejected?.(row, rowErr);
        }
      }
      stored(kept);
    }
  }

  async function writeBatch(rows: AuditRow[]): Promise<void> {
    if (spool.pendingRows() === 0) {
      try {
        await insert(rows, true);
        return;
      } catch (err) {
        onError(err, 'audit database unreachable; spooling events to disk');
      }
    }
    await spool.append(rows);
    scheduleReplay();
  }

  async function flushBuffer(): Promise<void> {
    while (buffer.length > 0) {
      // Under a backlog, bigger statements: fewer round trips while the database is the bottleneck.
      const rows = buffer.splice(0, Math.min(buffer.length, batchSize * 10));
      await writeBatch(rows);
    }
  }

  /** Moves the spool into the database, oldest segment first; stops at the first failure. */
  async function replay(): Promise<boolean> {
    for (const segment of spool.sealForReplay()) {
      const rows = await spool.read(segment);
      try {
        for (let i = 0; i < rows.length; i += batchSize) await insert(rows.slice(i, i + batchSize), false);
      } catch (err) {
        onError(err, 'audit database still unreachable; events stay in the spool');
        return false;
      }
      await spool.remove(segment);
    }
    return spool.pendingRows() === 0;
  }

  function scheduleReplay(): void {
    if (replayTimer || closed) return;
    replayTimer = setTimeout(() => {
      replayTimer = undefined;
      void serial(replay).then((done) => {
        if (!done) scheduleReplay();
      });
    }, replayIntervalMs);
    replayTimer.unref();
  }

  function scheduleFlush(): void {
    if (buffer.length >= batchSize) {
      clearTimeout(timer);
      timer = undefined;
      void serial(flushBuffer);
      return;
    }
    if (timer || closed) return;
    timer = setTimeout(() => {
      timer = undefined;
      void serial(flushBuffer);
    }, flushIntervalMs);
    timer.unref();
  }

  // Spool left by an earlier run (a crash, or an outage at shutdown) goes first.
  if (spool.pendingRows() > 0) scheduleReplay();

  return {
    record(event) {
      const row = toAuditRow(event);
      if (closed) {
        spool.appendSync([row]);
        return row.id;
      }
      buffer.push(row);
      if (buffer.length >= maxBuffered) {
        // The bound: the queue goes to disk now rather than growing (or dropping anything).
        const rows = buffer;
        buffer = [];
        spool.appendSync(rows);
        scheduleReplay();
        return row.id;
      }
      scheduleFlush();
      return row.id;
    },
    flush: () => serial(flushBuffer),
    async drain() {
      await serial(flushBuffer);
      return serial(replay);
    },
    async close() {
      clearTimeout(timer);
      timer = undefined;
      await serial(flushBuffer);
      if (spool.pendingRows() > 0) await serial(replay);
      closed = true;
      clearTimeout(replayTimer);
      replayTimer = undefined;
    },
    stats: () => ({
      buffered: buffer.length,
      spooled: spool.pendingRows(),
      inserted: stats.inserted,
      rejected: stats.rejected,
    }),
  };
}
