import type { Knex } from 'knex';
import { ACTIVE_BAN } from '../bans/active-ban.js';

/** A PlatformToken row: the sealed tokens of one linked account. */
export interface PlatformTokenRow {
  platform_account_id: string;
  access_token_encrypted: string;
  refresh_token_encrypted: string | null;
  token_type: string;
  scopes: string[];
  expires_at: Date | null;
  status: 'valid' | 'invalid';
  invalid_reason: string | null;
  invalid_at: Date | null;
  refreshed_at: Date | null;
}

/** A token row with the account it belongs to. */
export interface OwnedTokenRow extends PlatformTokenRow {
  user_id: string;
  platform_id: string;
  platform_user_id: string;
}

const OWNED = ['t.*', 'pa.user_id', 'pa.platform_id', 'pa.platform_user_id'] as const;

export function createPlatformTokenQueries(db: Knex) {
  const owned = (trx: Knex) =>
    trx('PlatformToken as t')
      .join('PlatformAccount as pa', 'pa.id', 't.platform_account_id')
      .select(...OWNED);
  return {
    /** The token of a person's account on a platform, locked while the transaction refreshes it. */
    forUpdate: (
      trx: Knex.Transaction,
      platform: string,
      userId: string,
    ): Promise<OwnedTokenRow | undefined> =>
      owned(trx).where({ 'pa.platform_id': platform, 'pa.user_id': userId }).forUpdate('t').first(),
    /** A person's account on a platform with its token, if any (no lock). */
    /** A person's account on a platform with its token status, and whether the person may be acted for. */
    ofUser: (platform: string, userId: string) =>
      db('PlatformAccount as pa')
        .join('User as u', 'u.id', 'pa.user_id')
        .leftJoin('PlatformToken as t', 't.platform_account_id', 'pa.id')
        .where({ 'pa.platform_id': platform, 'pa.user_id': userId })
        .first<{ id: string; status: string | null; unavailable: boolean } | undefined>(
          'pa.id',
          't.status',
          db.raw(
            `u.deleted_at IS NOT NULL OR EXISTS (SELECT 1 FROM "UserBan" b WHERE b.user_id = u.id AND ${ACTIVE_BAN}) AS unavailable`,
          ),
        ),
    /** An account's token; `lock`: held until the transaction ends (a refresh under way finishes first). */
    byAccount: (accountId: string, trx: Knex = db, lock = false): Promise<OwnedTokenRow | undefined> => {
      const q = owned(trx).where('t.platform_account_id', accountId);
      return (lock ? q.forUpdate('t') : q).first();
    },
    /**
     * Accounts whose valid token (with a refresh token) expires before `before`, in id order after `after`: each
     * run of the refresh job walks them once, whatever the refreshes do to their expiry.
     */
    dueAfter: (before: Date, after: string, limit: number): Promise<string[]> =>
      db('PlatformToken')
        .where('status', 'valid')
        .whereNotNull('refresh_token_encrypted')
        .where('expires_at', '<', before)
        .where('platform_account_id', '>', after)
        .orderBy('platform_account_id')
        .limit(limit)
        .pluck('platform_account_id'),
    /** One due token, locked; undefined when another node holds it or it is no longer due. */
    lockDue: (trx: Knex.Transaction, accountId: string, before: Date): Promise<OwnedTokenRow | undefined> =>
      owned(trx)
        .where({ 't.platform_account_id': accountId, 't.status': 'valid' })
        .whereNotNull('t.refresh_token_encrypted')
        .where('t.expires_at', '<', before)
        .forUpdate('t')
        .skipLocked()
        .first(),
    /** Tokens not sealed with the current key (`v2.<current id>.`), a batch at a time. */
    sealedWithOtherKeys: (
      trx: Knex.Transaction,
      currentPrefix: string,
      limit: number,
    ): Promise<OwnedTokenRow[]> =>
      owned(trx)
        .whereRaw(
          `(left(t.access_token_encrypted, length(?)) <> ? OR left(t.refresh_token_encrypted, length(?)) <> ?)`,
          [currentPrefix, currentPrefix, currentPrefix, currentPrefix],
        )
        .limit(limit)
        .forUpdate('t')
        .skipLocked(),
    /**
     * Stores a new token set. A set without a refresh token (Google gives one only on the first consent) keeps the
     * refresh token stored before: it still works, and losing it would end the bots' access within the hour.
     */
    upsert: (row: Omit<PlatformTokenRow, 'invalid_reason' | 'invalid_at'>, trx: Knex = db) => {
      const values = { ...row, invalid_reason: null, invalid_at: null };
      return trx('PlatformToken')
        .insert(values)
        .onConflict('platform_account_id')
        .merge({
          ...values,
          refresh_token_encrypted: trx.raw(
            'COALESCE(EXCLUDED.refresh_token_encrypted, "PlatformToken".refresh_token_encrypted)',
          ),
        });
    },
    update: (accountId: string, patch: Partial<PlatformTokenRow>, trx: Knex = db) =>
      trx('PlatformToken').where({ platform_account_id: accountId }).update(patch),
    /** Token status and scopes of a person's accounts, for listings. */
    statusOf: (accountIds: string[]) =>
      db('PlatformToken')
        .whereIn('platform_account_id', accountIds)
        .select<{ platform_account_id: string; status: 'valid' | 'invalid'; scopes: string[] }[]>(
          'platform_account_id',
          'status',
          'scopes',
        ),
  };
}
