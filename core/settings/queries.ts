import type { Knex } from 'knex';
import { CUSTOM_SETTING_PREFIX } from '../../schemas/settings.js';
import { isoMicrosSql } from '../shared/serialize.js';

/** A stored setting; `updated_at` with microseconds, so it can be compared back exactly. */
export interface SettingRow {
  key: string;
  value: unknown;
  is_public: boolean;
  description: string | null;
  updated_at: string;
}

export interface SettingChange {
  value: unknown;
  is_public: boolean;
  description: string | null;
}

const RETURNING = `key, value, is_public, description, ${isoMicrosSql('updated_at')} AS updated_at`;

/** SQL for the Setting table; the rules (registry, sizes, concurrency) are the service's. */
export function createSettingQueries(db: Knex) {
  const rows = (trx: Knex) => trx('Setting').select(trx.raw(RETURNING));

  return {
    all: (): Promise<SettingRow[]> => rows(db).orderBy('key'),
    publicRows: (): Promise<SettingRow[]> => rows(db).where('is_public', true).orderBy('key'),
    find: (key: string, trx: Knex = db): Promise<SettingRow | undefined> => rows(trx).where({ key }).first(),
    /** The row, locked until the transaction ends (a concurrent change of the same key waits). */
    lock: (key: string, trx: Knex.Transaction): Promise<SettingRow | undefined> =>
      rows(trx).where({ key }).forUpdate().first(),
    async countCustom(trx: Knex): Promise<number> {
      const row = await trx('Setting')
        .whereLike('key', `${CUSTOM_SETTING_PREFIX}%`)
        .count<{ n: string }[]>({ n: '*' })
        .first();
      return Number(row?.n ?? 0);
    },
    /** Inserts the setting; undefined when the key was taken meanwhile. */
    async insert(key: string, change: SettingChange, trx: Knex): Promise<SettingRow | undefined> {
      const { rows: inserted } = await trx.raw<{ rows: SettingRow[] }>(
        `INSERT INTO "Setting" (key, value, is_public, description) VALUES (?, ?::jsonb, ?, ?)
         ON CONFLICT (key) DO NOTHING RETURNING ${RETURNING}`,
        [key, JSON.stringify(change.value), change.is_public, change.description],
      );
      return inserted[0];
    },
    /** Writes the change; undefined when it would change nothing (jsonb compares values, not text). */
    async update(key: string, change: SettingChange, trx: Knex): Promise<SettingRow | undefined> {
      const next = [JSON.stringify(change.value), change.is_public, change.description];
      const { rows: updated } = await trx.raw<{ rows: SettingRow[] }>(
        `UPDATE "Setting" SET (value, is_public, description) = (?::jsonb, ?, ?)
          WHERE key = ? AND (value, is_public, description) IS DISTINCT FROM (?::jsonb, ?, ?)
          RETURNING ${RETURNING}`,
        [...next, key, ...next],
      );
      return updated[0];
    },
    remove: (key: string, trx: Knex) => trx('Setting').where({ key }).delete(),
  };
}
