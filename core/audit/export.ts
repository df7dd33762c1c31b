import { Readable } from 'node:stream';
import type { Knex } from 'knex';
import { AUDIT_COLUMN_NAMES } from '../../schemas/audit-columns.js';
import { exportAuditQuery } from '../../schemas/audit.js';
import { requirePermission } from '../auth/guards.js';
import {
  acquireConnection,
  discardConnection,
  releaseConnection,
  type PgConnection,
} from '../db/knex-internals.js';
import type { Actor } from '../shared/actor.js';
import { validateInput } from '../shared/validation.js';
import type { AuditLogger } from './logger.js';
import { auditFilterOf, createAuditQueries } from './queries.js';
import { auditRecorder } from './recorder.js';

/** Rows fetched from the cursor at a time: what the export holds in memory, besides the stream's buffer. */
const FETCH_ROWS = 1000;

/**
 * A cell a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, or a tab or carriage return in front of
 * one) gets a `'` in front, so that opening an export never runs anything an event's text carried.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One CSV field (RFC 4180): quoted when it holds a quote, comma or line break, quotes doubled. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'string' ? value : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const line = (row: Record<string, unknown>) =>
  `${AUDIT_COLUMN_NAMES.map((name) => csvField(row[name])).join(',')}\r\n`;
const HEADER = `${AUDIT_COLUMN_NAMES.join(',')}\r\n`;

/**
 * Audit events as CSV, for the admin panel: the filters of the audit search (schemas/audit.ts
 * `exportAuditQuery`: type, user, actor, address or network, country, time range, …), newest first, one column
 * per column of the AuditEvent table (schemas/audit-columns.ts) under a header row, lines ending CRLF. The rows
 * come from a server-side cursor in one read-only snapshot, a thousand at a time and only as fast as the reader
 * takes them, so the export never holds the log in memory. Needs `audit:read`; each export records
 * `data_exported` (what was asked for, how many rows went out, whether it finished).
 */
export function createAuditExport(deps: { db: Knex; audit: AuditLogger }) {
  const queries = createAuditQueries(deps.db);
  const audit = auditRecorder<'data_exported'>(deps.audit, { resource_type: 'audit_event' });

  return {
    /** Validates and checks at once (throws), then streams; the stream fails if the database does. */
    csv(actor: Actor, input: unknown = {}): Readable {
      requirePermission(actor.auth, 'audit', 'read');
      const filters = validateInput(exportAuditQuery, input, 'query');
      const { sql, bindings } = queries.exportStatement(auditFilterOf(filters));
      let client: PgConnection | undefined;
      let rows = 0;
      let finished = false;

      const close = async (outcome: 'commit' | 'rollback', broken?: unknown) => {
        const held = client;
        client = undefined;
        if (!held) return;
        try {
          if (broken) discardConnection(held, broken);
          else await held.query(outcome === 'commit' ? 'COMMIT' : 'ROLLBACK');
        } catch (err) {
          discardConnection(held, err);
        } finally {
          await releaseConnection(deps.db, held);
        }
      };
      const recordOnce = (complete: boolean) => {
        if (finished) return;
        finished = true;
        audit.record('data_exported', actor, {
          description: `audit log exported as CSV (${rows} events)`,
          metadata: { export: 'audit_events', format: 'csv', filters, rows, complete },
        });
      };

      // The read in progress: closing waits for it, so that no statement ever runs on a released connection.
      let reading: Promise<void> = Promise.resolve();
      const next = async (stream: Readable): Promise<void> => {
        let head = '';
        if (!client) {
          client = await acquireConnection(deps.db);
          if (stream.destroyed) return;
          await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
          if (stream.destroyed) return;
          await client.query(`DECLARE audit_export NO SCROLL CURSOR FOR ${sql}`, [...bindings]);
          if (stream.destroyed) return;
          head = HEADER;
        }
        const batch = await client.query<Record<string, unknown>>(`FETCH ${FETCH_ROWS} FROM audit_export`);
        if (stream.destroyed) return;
        rows += batch.rows.length;
        if (batch.rows.length > 0) {
          stream.push(head + batch.rows.map(line).join(''));
          return;
        }
        await close('commit');
        if (head) stream.push(head);
        recordOnce(true);
        stream.push(null);
      };

      return new Readable({
        read() {
          reading = next(this).catch((err: unknown) => {
            this.destroy(err as Error);
          });
        },
        destroy(err, callback) {
          recordOnce(false);
          reading
            .then(() => close('rollback', err ?? undefined))
            .then(
              () => callback(err),
              (closeErr: unknown) => callback((err ?? closeErr) as Error | null),
            );
        },
      });
    },
  };
}

export type AuditExport = ReturnType<typeof createAuditExport>;
