import type { Knex } from 'knex';

export interface PlatformRow {
  id: string;
  name: string;
  enabled: boolean;
  display_order: number;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = ['id', 'name', 'enabled', 'display_order', 'created_at', 'updated_at'];

/** SQL for the Platform table (a handful of rows: sign-in methods). */
export function createPlatformQueries(db: Knex) {
  return {
    all: (trx: Knex = db): Promise<PlatformRow[]> =>
      trx('Platform')
        .select(COLUMNS)
        .orderBy([{ column: 'display_order' }, { column: 'id' }]),
    /** Every platform, locked until the transaction ends: a rule over all of them holds while it runs. */
    lockAll: (trx: Knex.Transaction): Promise<PlatformRow[]> =>
      trx('Platform').select(COLUMNS).orderBy('id').forUpdate(),
    async setEnabled(id: string, enabled: boolean, trx: Knex): Promise<PlatformRow> {
      const [row] = await trx('Platform').where({ id }).update({ enabled }).returning<PlatformRow[]>(COLUMNS);
      return row!;
    },
  };
}
