import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Knex } from 'knex';
import { from as copyFrom } from 'pg-copy-streams';
import { z } from 'zod';
import { AUDIT_COLUMNS, AUDIT_COLUMN_NAMES } from '../../schemas/audit-columns.js';
import {
  AUDIT_EVENT_TYPES,
  SOURCE_SERVICES,
  auditEventInputSchema,
  type AuditEvent,
  type AuditEventInput,
  type AuditEventRecord,
} from '../../schemas/audit.js';
import { acquireConnection, releaseConnection } from '../db/knex-internals.js';
import { AppError } from '../errors/index.js';
import { ADD_BATCH_COUNTS, ADD_TO_COUNTS, batchCounts } from './counts.js';

/**
 * An audit event as stored: validated, with its id and time fixed when it was recorded (so a replay after a
 * crash inserts the same row, which ON CONFLICT then ignores), and GeoIP columns filled at write time. Its
 * fields are the record's (one per column), except metadata, kept as the JSON text that is written.
 */
export type AuditRow = { [K in keyof AuditEventRecord]: K extends 'metadata' ? string : AuditEventRecord[K] };

/** A stored row as the API shows it (GET /v1/audit). */
export const toAuditRecord = (row: AuditRow): AuditEventRecord => ({
  ...row,
  metadata: JSON.parse(row.metadata) as Record<string, unknown>,
});

// Microsecond timestamps that never repeat or go back within this process, so ordering by created_at is the
// order events were recorded in (PostgreSQL keeps microseconds; Date has milliseconds). A burst of more than
// 1,000 events in a millisecond runs a few microseconds ahead of the clock until it catches up.
let lastMicros = 0;
// The ISO text of the last millisecond seen, without its 'Z': most events of a burst share it.
let lastMillis = -1;
let lastIso = '';
function monotonicTimestamp(): string {
  const micros = Math.max(Date.now() * 1000, lastMicros + 1);
  lastMicros = micros;
  const millis = Math.floor(micros / 1000);
  if (millis !== lastMillis) {
    lastMillis = millis;
    lastIso = new Date(millis).toISOString().slice(0, -1);
  }
  return `${lastIso}${String(micros % 1000).padStart(3, '0')}Z`;
}

const invalid = (issues: { path: PropertyKey[]; message: string }[]) =>
  new AppError('audit.invalid_event', 400, 'The audit event is not valid.', {
    fields: issues.map((i) => ({ field: i.path.map(String).join('.'), message: i.message })),
  });

/** The catalogue's check, as the API edge and every caller's bug report see it (reference for the fast path). */
export function parseAuditEvent(input: AuditEventInput): AuditEvent {
  const parsed = auditEventInputSchema.safeParse(input);
  if (!parsed.success) throw invalid(parsed.error.issues);
  return parsed.data;
}

const EVENT_TYPES = new Set<string>(AUDIT_EVENT_TYPES);
const SOURCES = new Set<string>(SOURCE_SERVICES);
const KNOWN_KEYS = new Set<string>(Object.keys(auditEventInputSchema.shape));
const IPV4 = z.regexes.ipv4;
const ipSchema = auditEventInputSchema.shape.ip_address;
const own = (o: object, key: string) => Object.prototype.hasOwnProperty.call(o, key);

/** `shortText(max)` of the schema: trimmed, 1..max long; undefined when absent, false when not that. */
function shortText(value: unknown, max: number): string | null | false {
  if (value === undefined) return null;
  if (typeof value !== 'string') return false;
  const trimmed = value.trim();
  return trimmed.length >= 1 && trimmed.length <= max ? trimmed : false;
}

function longText(value: unknown, max: number): string | null | false {
  if (value === undefined) return null;
  return typeof value === 'string' && value.length <= max ? value : false;
}

/**
 * The same check as `auditEventInputSchema` for the shapes Heimdall's own code records (a plain object literal,
 * no id or time of its own), at a fraction of the cost: the row, or undefined whenever the answer is not
 * certain, and then the schema decides (and names the fields when it refuses). Anything accepted here the schema
 * accepts with the same output; rows.test.ts compares the two (hence the export).
 */
export function fastRow(input: Record<string, unknown>): AuditRow | undefined {
  if (typeof input !== 'object' || input === null || Object.getPrototypeOf(input) !== Object.prototype)
    return;
  for (const key in input) if (!KNOWN_KEYS.has(key)) return;
  if (input.id !== undefined || input.created_at !== undefined) return;
  const eventType = input.event_type;
  if (typeof eventType !== 'string' || !EVENT_TYPES.has(eventType)) return;
  const userId = shortText(input.user_id, 255);
  const actorId = shortText(input.actor_id, 255);
  const resourceType = shortText(input.resource_type, 100);
  const resourceId = shortText(input.resource_id, 255);
  if (userId === false || actorId === false || resourceType === false || resourceId === false) return;
  const ip = input.ip_address;
  if (ip !== undefined && (typeof ip !== 'string' || !(IPV4.test(ip) || ipSchema.safeParse(ip).success)))
    return;
  const userAgent = longText(input.user_agent, 1024);
  const description = longText(input.description, 2000);
  const errorMessage = longText(input.error_message, 2000);
  if (userAgent === false || description === false || errorMessage === false) return;
  const status = input.status === undefined ? 'success' : input.status;
  if (status !== 'success' && status !== 'failure') return;
  const source = input.source_service;
  if (source !== undefined && (typeof source !== 'string' || !SOURCES.has(source))) return;
  const isReported = input.is_reported === undefined ? false : input.is_reported;
  if (typeof isReported !== 'boolean') return;
  const metadata = input.metadata === undefined ? {} : input.metadata;
  // z.record(): a plain object; the schema copies its own enumerable string keys (never __proto__), which is what
  // JSON.stringify reads too. Anything unusual goes to the schema.
  if (typeof metadata !== 'object' || metadata === null) return;
  const proto = Object.getPrototypeOf(metadata) as unknown;
  if (proto !== Object.prototype && proto !== null) return;
  if (own(metadata, '__proto__') || own(metadata, 'constructor')) return;
  if (Object.getOwnPropertySymbols(metadata).length > 0) return;
  return {
    id: randomUUID(),
    created_at: monotonicTimestamp(),
    event_type: eventType,
    user_id: userId,
    actor_id: actorId,
    resource_type: resourceType,
    resource_id: resourceId,
    ip_address: (ip as string | undefined) ?? null,
    user_agent: userAgent,
    description,
    metadata: JSON.stringify(metadata),
    status,
    error_message: errorMessage,
    source_service: (source as string | undefined) ?? null,
    is_reported: isReported,
    country_code: null,
    country_name: null,
    city: null,
    region: null,
  };
}

/** Validates against the event catalogue; a bad event is the caller's bug, reported as a 400 with the fields. */
export function toAuditRow(input: AuditEventInput): AuditRow {
  return fastRow(input as Record<string, unknown>) ?? schemaRow(input);
}

/** The row the schema builds (what the fast path must agree with); throws the schema's 400 for a bad event. */
export function schemaRow(input: AuditEventInput): AuditRow {
  const e = parseAuditEvent(input);
  return {
    id: e.id ?? randomUUID(),
    created_at: e.created_at ? new Date(e.created_at).toISOString() : monotonicTimestamp(),
    event_type: e.event_type,
    user_id: e.user_id ?? null,
    actor_id: e.actor_id ?? null,
    resource_type: e.resource_type ?? null,
    resource_id: e.resource_id ?? null,
    ip_address: e.ip_address ?? null,
    user_agent: e.user_agent ?? null,
    description: e.description ?? null,
    metadata: JSON.stringify(e.metadata),
    status: e.status,
    error_message: e.error_message ?? null,
    source_service: e.source_service ?? null,
    is_reported: e.is_reported,
    country_code: null,
    country_name: null,
    city: null,
    region: null,
  };
}

// One array parameter per column: the statement is the same whatever the batch size, so PostgreSQL parses a
// short query and the parameter count never approaches its 65,535 limit. The rows it stored, and only those,
// are added to the counts (counts.ts) in the same statement.
const INSERT_SQL = `
  WITH stored AS (
    INSERT INTO "AuditEvent" (${AUDIT_COLUMN_NAMES.join(', ')})
    SELECT * FROM unnest(${AUDIT_COLUMN_NAMES.map((name) => `?::${AUDIT_COLUMNS[name].sql}[]`).join(', ')})
    ON CONFLICT (id, created_at) DO NOTHING
    RETURNING event_type, created_at, country_code
  ), src AS (SELECT event_type, created_at, country_code, 1 AS n FROM stored),
  ${ADD_TO_COUNTS}
  SELECT count(*)::int AS inserted FROM stored`;

/** Inserts a batch in one statement; rows already stored (a replay) are skipped. Resolves to rows inserted. */
export async function insertAuditRows(db: Knex, rows: readonly AuditRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const columns = AUDIT_COLUMN_NAMES.map((name) => rows.map((row) => row[name]));
  const result = await db.raw<{ rows: { inserted: number }[] }>(
    INSERT_SQL,
    columns as unknown as Knex.RawBinding[],
  );
  return result.rows[0]!.inserted;
}

/**
 * PostgreSQL refused the data itself (SQLSTATE class 22 data exception or 23 integrity violation): retrying
 * will not help, unlike a lost connection.
 */
export function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && /^2[23]/.test(code);
}

const NEEDS_ESCAPE = /[\\\t\n\r]/;
const ESCAPES = /[\\\t\n\r]/g;
const escapeChar = (c: string) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r');

/** PostgreSQL COPY text format: tab-separated, \N for null, backslash escapes. */
function copyLine(row: AuditRow): string {
  let line = '';
  for (let i = 0; i < AUDIT_COLUMN_NAMES.length; i += 1) {
    const value = row[AUDIT_COLUMN_NAMES[i]!];
    if (i > 0) line += '\t';
    if (value === null) line += '\\N';
    else if (typeof value === 'boolean') line += value ? 't' : 'f';
    else line += NEEDS_ESCAPE.test(value) ? value.replace(ESCAPES, escapeChar) : value;
  }
  return `${line}\n`;
}

const COPY_SQL = `COPY "AuditEvent" (${AUDIT_COLUMN_NAMES.join(', ')}) FROM STDIN`;

/**
 * Writes a batch that was never written before with COPY, the fastest path into PostgreSQL. COPY cannot skip
 * existing rows, so anything that may have been stored already (a spool replay) goes through insertAuditRows.
 * The COPY and the batch's counts (counts.ts) are one transaction: the whole batch is stored and counted, or none
 * of it.
 */
export async function copyAuditRows(db: Knex, rows: readonly AuditRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const client = await acquireConnection(db);
  try {
    await client.query('BEGIN');
    const stream = client.query(copyFrom(COPY_SQL));
    await pipeline(Readable.from([rows.map(copyLine).join('')]), stream);
    await client.query(ADD_BATCH_COUNTS, batchCounts(rows));
    await client.query('COMMIT');
    return Number(stream.rowCount);
  } catch (err) {
    // A connection that broke cannot roll back; the pool validates it before handing it out again.
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    await releaseConnection(db, client);
  }
}
