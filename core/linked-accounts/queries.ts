import type { Knex } from 'knex';
import { SIGN_IN_STATE_COLUMNS, SIGN_IN_STATE_JOINS, type SignInState } from '../auth/sign-in-state.js';

/** A platform account as the linked-accounts service reads it. */
export interface LinkedAccountRow {
  id: string;
  user_id: string;
  platform_id: string;
  platform_name: string;
  platform_enabled: boolean;
  platform_user_id: string;
  username: string;
  display_name: string | null;
  avatar_url: string | null;
  email: string | null;
  email_verified_at: Date | null;
  has_password: boolean;
  is_primary: boolean;
  token_status: 'valid' | 'invalid' | null;
  token_scopes: string[] | null;
  created_at: Date;
  updated_at: Date;
}

/** Who a platform account signs in as, with what the sign-in's next steps depend on. */
export interface SignInRow extends SignInState {
  account_id: string;
  user_id: string;
}

export function createLinkedAccountQueries(db: Knex) {
  const accounts = (trx: Knex) =>
    trx('PlatformAccount as pa')
      .join('Platform as p', 'p.id', 'pa.platform_id')
      .join('User as u', 'u.id', 'pa.user_id')
      .leftJoin('PlatformToken as t', 't.platform_account_id', 'pa.id')
      .select<LinkedAccountRow[]>(
        'pa.id',
        'pa.user_id',
        'pa.platform_id',
        'p.name as platform_name',
        'p.enabled as platform_enabled',
        'pa.platform_user_id',
        'pa.username',
        'pa.display_name',
        'pa.avatar_url',
        'pa.email',
        'pa.email_verified_at',
        trx.raw('pa.password_hash IS NOT NULL AS has_password'),
        trx.raw('u.primary_platform_account_id IS NOT DISTINCT FROM pa.id AS is_primary'),
        't.status as token_status',
        't.scopes as token_scopes',
        'pa.created_at',
        'pa.updated_at',
      );
  return {
    ofUser: (userId: string, trx: Knex = db) =>
      accounts(trx)
        .where('pa.user_id', userId)
        .orderBy([{ column: 'pa.created_at' }, { column: 'pa.id' }]),
    /** The person's accounts, locked: checks over all of them (the last way to sign in) hold while it runs. */
    lockUser: async (userId: string, trx: Knex.Transaction) => {
      await trx('User').where({ id: userId }).forUpdate().select('id');
      return accounts(trx)
        .where('pa.user_id', userId)
        .orderBy([{ column: 'pa.created_at' }, { column: 'pa.id' }]);
    },
    signInAccount: async (platform: string, platformUserId: string, trx: Knex = db) =>
      (
        await trx.raw<{ rows: SignInRow[] }>(
          `SELECT pa.id AS account_id, pa.user_id, ${SIGN_IN_STATE_COLUMNS}
             FROM "PlatformAccount" pa
             ${SIGN_IN_STATE_JOINS}
            WHERE pa.platform_id = ? AND pa.platform_user_id = ?
            LIMIT 1`,
          [platform, platformUserId],
        )
      ).rows[0],
    /**
     * Whether a live user has this address, confirmed (with Heimdall, or vouched for by a provider), on any of their
     * accounts. Unconfirmed addresses do not count: anyone can type someone else's address into a registration
     * form, and that must not lock the address's owner out of signing up with a provider that checked it.
     */
    emailInUse: async (email: string, trx: Knex = db) =>
      Boolean(
        await trx('PlatformAccount as pa')
          .join('User as u', 'u.id', 'pa.user_id')
          .whereNull('u.deleted_at')
          .whereNotNull('pa.email_verified_at')
          .where((q) =>
            q
              .whereRaw('lower(pa.email) = lower(?)', [email])
              .orWhere((e) =>
                e.where('pa.platform_id', 'email').whereRaw('lower(pa.platform_user_id) = lower(?)', [email]),
              ),
          )
          .first('pa.id'),
      ),
    usernameTaken: async (username: string, trx: Knex = db) =>
      Boolean(await trx('User').whereRaw('lower(username) = lower(?)', [username]).first('id')),
  };
}
