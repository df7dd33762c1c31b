import type { Migration } from '../types.js';

/**
 * A session remembers when its second factor was checked: a person whose role requires 2FA may use a
 * session only once it is set; for everyone else it records how strongly they signed in.
 */
export const sessionTwoFactor: Migration = {
  name: '0011_session_two_factor',
  async up(knex) {
    await knex.raw(`ALTER TABLE "Session" ADD COLUMN two_factor_verified_at TIMESTAMPTZ;`);
  },
  async down(knex) {
    await knex.raw(`ALTER TABLE "Session" DROP COLUMN two_factor_verified_at;`);
  },
};
