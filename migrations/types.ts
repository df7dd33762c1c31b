import type { Knex } from 'knex';

/** A migration as our own migration source hands it to knex (no file-system discovery, works in src and dist). */
export interface Migration {
  name: string;
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}
