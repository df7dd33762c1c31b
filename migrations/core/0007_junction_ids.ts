import type { Migration } from '../types.js';

const JUNCTIONS = [
  { table: 'UserRole', pair: ['user_id', 'role_id'] },
  { table: 'ApiKeyRole', pair: ['api_key_id', 'role_id'] },
  { table: 'RolePermission', pair: ['role_id', 'permission_id'] },
] as const;

/**
 * Keystone lists need a single-column id, and the junction tables have a composite primary key.
 * Each gets a uuid `id` as its primary key; the pair keeps its uniqueness as a UNIQUE constraint (named as Prisma
 * names `@@unique`), so ON CONFLICT on the pair and every existing rule still hold.
 */
export const junctionIds: Migration = {
  name: '0007_junction_ids',
  async up(knex) {
    for (const { table, pair } of JUNCTIONS) {
      await knex.raw(`
        ALTER TABLE "${table}" ADD COLUMN id UUID NOT NULL DEFAULT gen_random_uuid();
        ALTER TABLE "${table}" DROP CONSTRAINT "${table}_pkey";
        ALTER TABLE "${table}" ADD CONSTRAINT "${table}_pkey" PRIMARY KEY (id);
        ALTER TABLE "${table}" ADD CONSTRAINT "${table}_${pair.join('_')}_key" UNIQUE (${pair.join(', ')});`);
    }
  },
  async down(knex) {
    for (const { table, pair } of JUNCTIONS) {
      await knex.raw(`
        ALTER TABLE "${table}" DROP CONSTRAINT "${table}_${pair.join('_')}_key";
        ALTER TABLE "${table}" DROP CONSTRAINT "${table}_pkey";
        ALTER TABLE "${table}" DROP COLUMN id;
        ALTER TABLE "${table}" ADD CONSTRAINT "${table}_pkey" PRIMARY KEY (${pair.join(', ')});`);
    }
  },
};
