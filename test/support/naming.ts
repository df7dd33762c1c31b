import type { Knex } from 'knex';

/**
 * Every column of every table (any text-like, uuid, JSON, address or array column) holding `needle`, with how many
 * rows do: how a test shows that nothing names a person any more, or that an export forgot no table.
 */
export async function columnsNaming(
  db: Knex,
  needle: string,
): Promise<{ table: string; column: string; rows: number }[]> {
  const { rows: columns } = await db.raw<{ rows: { table_name: string; column_name: string }[] }>(
    `SELECT c.table_name, c.column_name
       FROM information_schema.columns c
       JOIN information_schema.tables t USING (table_schema, table_name)
      WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
        AND (c.data_type IN ('uuid', 'text', 'character varying', 'character', 'json', 'jsonb', 'inet', 'ARRAY'))
      ORDER BY 1, 2`,
  );
  const found: { table: string; column: string; rows: number }[] = [];
  for (const { table_name: table, column_name: column } of columns) {
    const { rows } = await db.raw<{ rows: { n: number }[] }>(
      `SELECT count(*)::int AS n FROM ?? WHERE strpos(??::text, ?) > 0`,
      [table, column, needle],
    );
    if (rows[0]!.n > 0) found.push({ table, column, rows: rows[0]!.n });
  }
  return found;
}
