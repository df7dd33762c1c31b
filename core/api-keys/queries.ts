import type { Knex } from 'knex';
import type { ApiKeyRow } from '../../schemas/api-keys.js';
import type { Page } from '../../schemas/common.js';
import { paginate } from '../shared/pagination.js';

/** SQL for API keys; ownership scoping is passed in by the service, which holds the rules. */
export interface ApiKeyFilter {
  userId?: string | null | undefined;
  isActive?: boolean | undefined;
  q?: string | undefined;
}

const COLUMNS = [
  'k.id',
  'k.name',
  'k.description',
  'k.key_prefix as prefix',
  'k.user_id',
  'k.scopes',
  'k.is_active',
  'k.is_system',
  'k.expires_at',
  'k.last_used_at',
  'k.created_at',
];

export function createApiKeyQueries(db: Knex) {
  const base = (trx: Knex) =>
    trx('ApiKey as k').select(
      ...COLUMNS,
      trx.raw(
        `coalesce((SELECT array_agg(role_id ORDER BY role_id) FROM "ApiKeyRole" WHERE api_key_id = k.id), '{}') AS role_ids`,
      ),
    );

  return {
    findApiKey(id: string, trx: Knex = db): Promise<ApiKeyRow | undefined> {
      return base(trx).where('k.id', id).first();
    },
    listApiKeys(filter: ApiKeyFilter, page: Page, sort: string) {
      const query = base(db);
      if (filter.userId !== undefined) {
        if (filter.userId === null) query.whereNull('k.user_id');
        else query.where('k.user_id', filter.userId);
      }
      if (filter.isActive !== undefined) query.where('k.is_active', filter.isActive);
      if (filter.q) query.whereILike('k.name', `%${filter.q.replace(/[\\%_]/g, '\\$&')}%`);
      return paginate<ApiKeyRow>(query, page, sort.replace(/^(-?)/, '$1k.'), 'k.id');
    },
    async insertApiKey(
      row: {
        key_hash: string;
        key_prefix: string;
        name: string;
        description?: string | undefined;
        user_id: string | null;
        scopes: string[];
        is_system: boolean;
        expires_at?: Date | undefined;
      },
      trx: Knex,
    ): Promise<string> {
      const [inserted] = await trx('ApiKey').insert(row).returning<{ id: string }[]>('id');
      return inserted!.id;
    },
    updateApiKey(id: string, changes: Record<string, unknown>, trx: Knex) {
      return trx('ApiKey').where({ id }).update(changes);
    },
    async replaceApiKeyRoles(id: string, roleIds: readonly string[], trx: Knex) {
      await trx('ApiKeyRole').where({ api_key_id: id }).delete();
      if (roleIds.length > 0)
        await trx('ApiKeyRole').insert(roleIds.map((role_id) => ({ api_key_id: id, role_id })));
    },
    deleteApiKey(id: string, trx: Knex = db) {
      return trx('ApiKey').where({ id }).delete();
    },
  };
}

export type ApiKeyQueries = ReturnType<typeof createApiKeyQueries>;
