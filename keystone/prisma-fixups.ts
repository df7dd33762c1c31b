/**
 * Keystone prints a Prisma model per list; these rewrite details it cannot express so the model says what the
 * migrated table is (the drift test holds them to it): database-generated uuids, NOT NULL foreign keys,
 * ON DELETE actions. Each takes and returns the model's text.
 */
export type ModelFixup = (model: string) => string;

/** `@default(uuid())` (Prisma generates) → the column's own `DEFAULT gen_random_uuid()`. */
export const dbUuid: ModelFixup = (m) =>
  m.replace('@default(uuid())', '@default(dbgenerated("gen_random_uuid()"))');

/** A to-one relationship whose foreign key column is NOT NULL, deleted with its parent (ON DELETE CASCADE). */
export const requiredRelation =
  (field: string, onDelete: 'Cascade' | 'SetNull' | 'Restrict' = 'Cascade'): ModelFixup =>
  (m) =>
    m
      .replace(new RegExp(`(\\n\\s*${field}Id\\s+String)\\?`), '$1')
      .replace(
        new RegExp(`(\\n\\s*${field}\\s+\\w+)\\?(\\s+@relation\\([^)]*)\\)`),
        `$1$2, onDelete: ${onDelete})`,
      );

/** A to-one relationship whose foreign key column is nullable, with its ON DELETE action. */
export const optionalRelation =
  (field: string, onDelete: 'Cascade' | 'SetNull'): ModelFixup =>
  (m) =>
    m.replace(
      new RegExp(`(\\n\\s*${field}\\s+\\w+\\?\\s+@relation\\([^)]*)\\)`),
      `$1, onDelete: ${onDelete})`,
    );

const beforeMap = (m: string, line: string) => m.replace(/(\n\s*@@map\()/, `\n  ${line}$1`);

/** A unique constraint over several columns (`@@unique`), named as PostgreSQL and Prisma both name it. */
export const unique =
  (...fields: string[]): ModelFixup =>
  (m) =>
    beforeMap(m, `@@unique([${fields.join(', ')}])`);

/** An index Keystone does not declare, e.g. `userId, exportedAt(sort: Desc)`. */
export const index =
  (spec: string): ModelFixup =>
  (m) =>
    beforeMap(m, `@@index([${spec}])`);

/** A pg_trgm GIN index on a text column (case-insensitive "contains" searches), under its own name. */
export const trigramIndex =
  (field: string, name: string): ModelFixup =>
  (m) =>
    beforeMap(m, `@@index([${field}(ops: raw("gin_trgm_ops"))], type: Gin, map: "${name}")`);

/** Keystone indexes every foreign key; drop the one a unique constraint or wider index already covers. */
export const dropIndex =
  (field: string): ModelFixup =>
  (m) =>
    m.replace(new RegExp(`\\n\\s*@@index\\(\\[${field}\\]\\)`), '');

/** Whole-schema rules: no `@default("")` on required text (the columns have no default), FKs never cascade updates. */
export const schemaFixups: ModelFixup = (schema) =>
  schema
    .replaceAll(' @default("")', '')
    .replace(/@relation\(([^)]*fields: [^)]*)\)/g, '@relation($1, onUpdate: NoAction)');

export const fixups =
  (...steps: ModelFixup[]): ModelFixup =>
  (m) =>
    steps.reduce((acc, step) => step(acc), m);
