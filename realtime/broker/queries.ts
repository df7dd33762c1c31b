import type { Knex } from 'knex';

export const createRealtimeQueries = (db: Knex) => ({
  /** Holders of a role, to tell them their permissions changed. */
  findUserIdsWithRole: async (roleId: string): Promise<string[]> =>
    (await db('UserRole').where('role_id', roleId).select('user_id')).map(
      (r: { user_id: string }) => r.user_id,
    ),
});
