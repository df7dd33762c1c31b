import type { Knex } from 'knex';
import { AUDIT_COLUMNS, AUDIT_COLUMN_NAMES, type AuditColumn } from '../../schemas/audit-columns.js';
import type { AuditEventRecord, ExportAuditQuery } from '../../schemas/audit.js';
import { decodeCursor, keysetPage } from '../shared/cursor.js';

/** Filters of GET /v1/audit (and of a user's activity, which fixes user_id and the event types). */
export interface AuditFilter {
  userId?: string | undefined;
  actorId?: string | undefined;
  eventTypes?: readonly string[] | undefined;
  status?: string | undefined;
  sourceService?: string | undefined;
  resourceType?: string | undefined;
  resourceId?: string | undefined;
  countryCode?: string | undefined;
  /** An address or a CIDR network. */
  ip?: string | undefined;
  isReported?: boolean | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

/** The filters of a search or export query (schemas/audit.ts) as the queries take them. */
export const auditFilterOf = (query: ExportAuditQuery): AuditFilter => ({
  userId: query.user_id,
  actorId: query.actor_id,
  eventTypes: query.event_type,
  status: query.status,
  sourceService: query.source_service,
  resourceType: query.resource_type,
  resourceId: query.resource_id,
  countryCode: query.country_code,
  ip: query.ip,
  isReported: query.is_reported,
  from: query.from,
  to: query.to,
});

export interface CursorPage {
  limit: number;
  cursor?: string | undefined;
}

/** Every column as the API shows it (created_at with microseconds, the address without a mask). */
const SELECT = AUDIT_COLUMN_NAMES.map((name) => {
  const select: string | undefined = (AUDIT_COLUMNS[name] as AuditColumn).select;
  return select ? `${select} AS ${name}` : name;
}).join(', ');

/** The same as text, JSON included (an export writes it out as it is, never parsed to be serialised again). */
const SELECT_TEXT = AUDIT_COLUMN_NAMES.map((name) => {
  const column: AuditColumn = AUDIT_COLUMNS[name];
  return column.select
    ? `${column.select} AS ${name}`
    : column.sql === 'jsonb'
      ? `${name}::text AS ${name}`
      : name;
}).join(', ');

const NEWEST_FIRST = [
  { column: 'created_at', order: 'desc' },
  { column: 'id', order: 'desc' },
] as const;

/** Reads of the AuditEvent table (the audit database), newest first with keyset pagination. */
export function createAuditQueries(db: Knex) {
  function applyFilter(q: Knex.QueryBuilder, f: AuditFilter): Knex.QueryBuilder {
    if (f.userId !== undefined) q.where('user_id', f.userId);
    if (f.actorId !== undefined) q.where('actor_id', f.actorId);
    if (f.eventTypes?.length) q.whereIn('event_type', [...f.eventTypes]);
    if (f.status !== undefined) q.where('status', f.status);
    if (f.sourceService !== undefined) q.where('source_service', f.sourceService);
    if (f.resourceType !== undefined) q.where('resource_type', f.resourceType);
    if (f.resourceId !== undefined) q.where('resource_id', f.resourceId);
    if (f.countryCode !== undefined) q.where('country_code', f.countryCode);
    if (f.ip !== undefined) q.whereRaw('ip_address <<= ?::inet', [f.ip]);
    if (f.isReported !== undefined) q.where('is_reported', f.isReported);
    if (f.from !== undefined) q.where('created_at', '>=', f.from);
    if (f.to !== undefined) q.where('created_at', '<', f.to);
    return q;
  }

  return {
    async list(filter: AuditFilter, page: CursorPage) {
      const q = applyFilter(db('AuditEvent').select(db.raw(SELECT)), filter);
      if (page.cursor) {
        const after = decodeCursor(page.cursor);
        q.whereRaw('(created_at, id) < (?::timestamptz, ?::uuid)', [after.at, after.id]);
      }
      const rows: AuditEventRecord[] = await q.orderBy([...NEWEST_FIRST]).limit(page.limit + 1);
      return keysetPage(rows, page.limit, (row) => ({ at: row.created_at, id: row.id }));
    },

    /** One event by id (any partition); undefined when there is none. */
    find: (id: string): Promise<AuditEventRecord | undefined> =>
      db('AuditEvent').select(db.raw(SELECT)).where({ id }).first(),

    /** The statement of every event matching `filter`, newest first, every column as text (for a cursor). */
    exportStatement(filter: AuditFilter): { sql: string; bindings: readonly unknown[] } {
      const native = applyFilter(db('AuditEvent').select(db.raw(SELECT_TEXT)), filter)
        .orderBy([...NEWEST_FIRST])
        .toSQL()
        .toNative();
      return { sql: native.sql, bindings: native.bindings };
    },

    /** Flags an event of this user (of one of these types) as reported; undefined when there is none. */
    async markReported(
      userId: string,
      id: string,
      eventTypes: readonly string[],
    ): Promise<{ event: AuditEventRecord; already: boolean } | undefined> {
      return db.transaction(async (trx) => {
        const found = await trx.raw<{ rows: { is_reported: boolean }[] }>(
          `SELECT is_reported FROM "AuditEvent" WHERE id = ? AND user_id = ? AND event_type = ANY(?) FOR UPDATE`,
          [id, userId, [...eventTypes]],
        );
        if (found.rows.length === 0) return undefined;
        const updated = await trx.raw<{ rows: AuditEventRecord[] }>(
          `UPDATE "AuditEvent" SET is_reported = true WHERE id = ? AND user_id = ? RETURNING ${SELECT}`,
          [id, userId],
        );
        return { event: updated.rows[0]!, already: found.rows[0]!.is_reported };
      });
    },
  };
}

export type AuditQueries = ReturnType<typeof createAuditQueries>;
