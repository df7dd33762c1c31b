import {
  AUDIT_COLUMNS,
  AUDIT_COLUMN_NAMES,
  type AuditColumn,
  type AuditColumnName,
} from '../../schemas/audit-columns.js';
import { camelCase } from '../../schemas/common.js';
import { ACTIVITY_FIELDS, type ActivityRecord, type AuditEventRecord } from '../../schemas/audit.js';
import type { Builder } from './builder.js';

type FieldBuilder<T> = PothosSchemaTypes.ObjectFieldBuilder<
  Builder extends PothosSchemaTypes.SchemaBuilder<infer Types> ? Types : never,
  T
>;

/** A column as a GraphQL field of an object holding it under its own name (`created_at` → `createdAt`). */
function columnField<T extends Partial<Record<AuditColumnName, unknown>>>(
  t: FieldBuilder<T>,
  name: AuditColumnName,
  describe: boolean,
) {
  const column: AuditColumn = AUDIT_COLUMNS[name];
  const { type, description } = column.graphql;
  return t.field({
    type,
    ...(column.nullable ? { nullable: true } : {}),
    ...(describe && description ? { description } : {}),
    resolve: (e) => e[name] as never,
  });
}

/** The GraphQL object types of the audit log: an event (one field per column) and a person's activity. */
export function auditObjectTypes(builder: Builder) {
  const AuditEvent = builder.objectRef<AuditEventRecord>('AuditEvent').implement({
    fields: (t) =>
      Object.fromEntries(AUDIT_COLUMN_NAMES.map((name) => [camelCase(name), columnField(t, name, true)])),
  });

  const Activity = builder.objectRef<ActivityRecord>('Activity').implement({
    description: 'One of your own security events (GET /v1/user/activity)',
    fields: (t) =>
      Object.fromEntries(
        ACTIVITY_FIELDS.map((name) => [
          camelCase(name),
          name === 'by_self' ? t.boolean({ resolve: (e) => e.by_self }) : columnField(t, name, false),
        ]),
      ),
  });

  return { AuditEvent, Activity };
}
