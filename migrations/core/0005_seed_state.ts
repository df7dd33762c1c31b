import type { Migration } from '../types.js';

/**
 * Which seed items have been applied once. Seeds insert only items they have never applied, so re-running them
 * changes nothing, and a permission an admin removed from a system role is not put back by the next start.
 */
export const seedState: Migration = {
  name: '0005_seed_state',
  async up(knex) {
    await knex.raw(`
      CREATE TABLE heimdall_seed_applied (
        key TEXT PRIMARY KEY,
        applied_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
      );
    `);
  },
  async down(knex) {
    await knex.raw(`DROP TABLE heimdall_seed_applied;`);
  },
};
