import { appendFileSync, closeSync, fsyncSync, mkdirSync, openSync, readdirSync } from 'node:fs';
import { open, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { AuditRow } from './rows.js';

/**
 * The durable local spool for audit events the database could not take (nothing lost). Append-only
 * JSON-lines segment files under the data directory, fsync'd per batch. Segments are named so that sorting by
 * name is the order they were written in; a segment is sealed before it is replayed, so appends never race a
 * replay, and it is deleted only after all its rows are in the database. Each process writes its own
 * segments; on start it also takes over the segments of processes that are gone (a crash).
 */
const ROWS_PER_SEGMENT = 10_000;
const NAME = /^spool-(\d{15})-(\d+)-(\d{6})\.jsonl$/;

export interface AuditSpool {
  readonly dir: string;
  /** Rows written to segments not yet replayed (this process's count; segments found at start included). */
  pendingRows(): number;
  append(rows: readonly AuditRow[]): Promise<void>;
  /** For the memory bound: the caller cannot wait, so the write is synchronous (and still fsync'd). */
  appendSync(rows: readonly AuditRow[]): void;
  /** Closes the current segment for appends and lists every segment this process may replay, oldest first. */
  sealForReplay(): string[];
  read(segment: string): Promise<AuditRow[]>;
  remove(segment: string): Promise<void>;
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const encode = (rows: readonly AuditRow[]) => rows.map((row) => `${JSON.stringify(row)}\n`).join('');

export function createAuditSpool(dir: string): AuditSpool {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  let seq = 0;
  let current: { name: string; rows: number } | undefined;
  // Rows per segment not yet replayed. A crashed process's segment counts as 1 until it is read.
  const pending = new Map<string, number>();

  const mine = (name: string) => NAME.exec(name)?.[2] === String(process.pid);
  const replayable = () =>
    readdirSync(dir)
      .filter((name) => {
        const match = NAME.exec(name);
        return match !== null && (mine(name) || !alive(Number(match[2])));
      })
      .sort();

  // Segments left by a crashed process are pending from the start, so the writer replays them first.
  for (const name of replayable()) if (!mine(name)) pending.set(name, 1);

  const target = (count: number) => {
    if (!current || current.rows >= ROWS_PER_SEGMENT) {
      seq += 1;
      const stamp = String(Date.now()).padStart(15, '0');
      current = { name: `spool-${stamp}-${process.pid}-${String(seq).padStart(6, '0')}.jsonl`, rows: 0 };
    }
    current.rows += count;
    pending.set(current.name, (pending.get(current.name) ?? 0) + count);
    return path.join(dir, current.name);
  };

  return {
    dir,
    pendingRows: () => [...pending.values()].reduce((a, b) => a + b, 0),
    async append(rows) {
      if (rows.length === 0) return;
      const file = await open(target(rows.length), 'a', 0o600);
      try {
        await file.appendFile(encode(rows));
        await file.datasync();
      } finally {
        await file.close();
      }
    },
    appendSync(rows) {
      if (rows.length === 0) return;
      const fd = openSync(target(rows.length), 'a', 0o600);
      try {
        appendFileSync(fd, encode(rows));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    },
    sealForReplay() {
      current = undefined;
      return replayable();
    },
    async read(segment) {
      const text = await readFile(path.join(dir, segment), 'utf8');
      const rows: AuditRow[] = [];
      for (const line of text.split('\n')) {
        if (!line) continue;
        try {
          rows.push(JSON.parse(line) as AuditRow);
        } catch {
          // A torn last line from a crash in the middle of a write: that batch was never acknowledged.
        }
      }
      return rows;
    },
    async remove(segment) {
      await unlink(path.join(dir, segment));
      pending.delete(segment);
    },
  };
}
