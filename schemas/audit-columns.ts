import { z } from 'zod';

export const AUDIT_STATUSES = ['success', 'failure'] as const;
export type AuditStatus = (typeof AUDIT_STATUSES)[number];

/** GraphQL scalars an audit column is shown as. */
export type AuditGraphqlType = 'ID' | 'String' | 'Boolean' | 'JSON';

/**
 * One column of the AuditEvent table. The DDL (migrations/audit) and the realtime wire message
 * (proto/heimdall/realtime/v1/realtime.proto) are written out by hand; test/database/audit-columns.test.ts holds
 * both to this table, so a column added in one place alone fails there.
 */
export interface AuditColumn<Z extends z.ZodType = z.ZodType, N extends boolean = boolean> {
  /** The value as the API shows it (GET /v1/audit, GraphQL, the stored record). */
  zod: Z;
  nullable: N;
  /**
   * The PostgreSQL type values are cast to on insert. A CHAR(n) column is written as text (a cast to CHAR(n)
   * would truncate silently where assignment refuses), with its width in `fixedLength`.
   */
  sql: 'uuid' | 'timestamptz' | 'text' | 'inet' | 'jsonb' | 'boolean';
  fixedLength?: number;
  /** How reads select it when the stored value is not already the API's text. */
  select?: string;
  graphql: { type: AuditGraphqlType; description?: string };
  /** The field of the realtime AuditEvent message, when not the column's own name. */
  proto?: string;
}

const column = <Z extends z.ZodType>(
  sql: AuditColumn['sql'],
  graphql: AuditGraphqlType,
  zod: Z,
  extra: Partial<Pick<AuditColumn, 'fixedLength' | 'select' | 'proto'>> & { description?: string } = {},
): AuditColumn<Z, false> => {
  const { description, ...rest } = extra;
  return {
    zod,
    nullable: false,
    sql,
    graphql: description ? { type: graphql, description } : { type: graphql },
    ...rest,
  };
};

const optional = <Z extends z.ZodType>(
  sql: AuditColumn['sql'],
  zod: Z,
  extra: Partial<Pick<AuditColumn, 'fixedLength' | 'select'>> = {},
): AuditColumn<z.ZodNullable<Z>, true> => ({
  zod: zod.nullable(),
  nullable: true,
  sql,
  graphql: { type: 'String' },
  ...extra,
});

/**
 * The columns of an audit event, in the order the API, COPY and the realtime message use. Everything that
 * lists them (the stored row's type, the insert and COPY column lists, the select list, the record schema, the
 * GraphQL AuditEvent fields) is derived from here.
 */
export const AUDIT_COLUMNS = {
  id: column('uuid', 'ID', z.uuid()),
  created_at: column('timestamptz', 'String', z.string().describe('ISO 8601 with microseconds'), {
    // As text with microseconds: a JS Date would round to milliseconds and break the cursor.
    select: `to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
    description: 'ISO 8601 with microseconds',
  }),
  event_type: column('text', 'String', z.string()),
  user_id: optional('text', z.string()),
  actor_id: optional('text', z.string()),
  resource_type: optional('text', z.string()),
  resource_id: optional('text', z.string()),
  ip_address: optional('inet', z.string(), { select: 'host(ip_address)' }),
  user_agent: optional('text', z.string()),
  description: optional('text', z.string()),
  metadata: column('jsonb', 'JSON', z.record(z.string(), z.unknown()), { proto: 'metadata_json' }),
  status: column('text', 'String', z.enum(AUDIT_STATUSES)),
  error_message: optional('text', z.string()),
  source_service: optional('text', z.string()),
  is_reported: column('boolean', 'Boolean', z.boolean()),
  country_code: {
    ...optional('text', z.string(), { fixedLength: 2 }),
    zod: z.string().nullable().describe('ISO 3166-1 alpha-2, from the GeoIP database'),
  },
  country_name: optional('text', z.string()),
  city: optional('text', z.string()),
  region: optional('text', z.string()),
} satisfies Record<string, AuditColumn>;

export type AuditColumnName = keyof typeof AUDIT_COLUMNS;

/** The column names in table order (computed once: the COPY path reads it for every row). */
export const AUDIT_COLUMN_NAMES = Object.keys(AUDIT_COLUMNS) as readonly AuditColumnName[];

/** The record schema's shape, column by column. */
export const auditRecordShape = Object.fromEntries(
  AUDIT_COLUMN_NAMES.map((name) => [name, AUDIT_COLUMNS[name].zod]),
) as { [K in AuditColumnName]: (typeof AUDIT_COLUMNS)[K]['zod'] };
