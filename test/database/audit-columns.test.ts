import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import protobuf from 'protobufjs';
import { createMigrator } from '../../core/db/migrate.js';
import { AUDIT_COLUMNS, AUDIT_COLUMN_NAMES, type AuditColumn } from '../../schemas/audit-columns.js';
import { useTestDatabase } from '../support/knex.js';

/**
 * The AuditEvent table's DDL (migrations/audit) and the realtime AuditEvent message (realtime.proto) are written
 * out by hand; everything else is derived from AUDIT_COLUMNS. These tests hold both to that table, so a column
 * added, dropped or retyped in one place alone fails here.
 */

/** information_schema's data_type for each insert cast. */
const DATA_TYPE: Record<AuditColumn['sql'], string> = {
  uuid: 'uuid',
  timestamptz: 'timestamp with time zone',
  text: 'text',
  inet: 'inet',
  jsonb: 'jsonb',
  boolean: 'boolean',
};

const columns = (): [string, AuditColumn][] => AUDIT_COLUMN_NAMES.map((name) => [name, AUDIT_COLUMNS[name]]);

describe('the AuditEvent columns, in one list', () => {
  const t = useTestDatabase();
  beforeAll(async () => {
    await createMigrator(t.db, 'audit', {
      retentionDays: 365,
      compressionAfterDays: 30,
      chunkIntervalDays: 7,
      partitionsAheadWeeks: 1,
    }).up();
  });

  it('the migrated table has exactly these columns, of these types and nullability', async () => {
    const { rows } = await t.db.raw<{
      rows: {
        column_name: string;
        data_type: string;
        is_nullable: 'YES' | 'NO';
        character_maximum_length: number | null;
      }[];
    }>(
      `SELECT column_name, data_type, is_nullable, character_maximum_length FROM information_schema.columns
       WHERE table_schema = current_schema() AND table_name = 'AuditEvent' ORDER BY column_name`,
    );
    const expected = columns()
      .map(([name, column]) => ({
        column_name: name,
        data_type: column.fixedLength ? 'character' : DATA_TYPE[column.sql],
        is_nullable: column.nullable ? 'YES' : 'NO',
        character_maximum_length: column.fixedLength ?? null,
      }))
      .sort((a, b) => (a.column_name < b.column_name ? -1 : 1));
    expect(rows).toEqual(expected);
  });

  it('the realtime AuditEvent message has one field per column, in table order', () => {
    const root = new protobuf.Root().loadSync(path.resolve('proto/heimdall/realtime/v1/realtime.proto'), {
      keepCase: true,
    });
    const message = root.lookupType('heimdall.realtime.v1.AuditEvent');
    const fields = message.fieldsArray
      .map((f) => ({ name: f.name, id: f.id, type: f.type, repeated: f.repeated }))
      .sort((a, b) => a.id - b.id);
    expect(fields).toEqual(
      columns().map(([name, column], i) => ({
        name: column.proto ?? name,
        id: i + 1,
        // Null travels as the empty string; metadata as JSON text.
        type: column.sql === 'boolean' ? 'bool' : 'string',
        repeated: false,
      })),
    );
  });
});
