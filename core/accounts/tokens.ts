import type { Knex } from 'knex';
import { hashSecret, randomSecret } from '../auth/secret-token.js';

/** Emailed single-use links (AccountToken): issue one (voiding older ones of its purpose), redeem it once. */
export type TokenPurpose = 'verify_email' | 'reset_password';

export function createAccountTokens(db: Knex) {
  return {
    async issue(
      purpose: TokenPurpose,
      account: { userId: string; accountId: string },
      ttlSeconds: number,
    ): Promise<string> {
      const token = randomSecret(purpose === 'verify_email' ? 'hv_' : 'hr_');
      await db.transaction(async (trx) => {
        await trx('AccountToken')
          .where({ platform_account_id: account.accountId, purpose })
          .whereNull('used_at')
          .update({ used_at: trx.fn.now() });
        await trx('AccountToken').insert({
          purpose,
          token_hash: hashSecret(token),
          user_id: account.userId,
          platform_account_id: account.accountId,
          expires_at: trx.raw(`now() + make_interval(secs => ?)`, [ttlSeconds]),
        });
      });
      return token;
    },

    /** Marks the link used and answers whose it was; undefined when unknown, used or expired. */
    async redeem(
      purpose: TokenPurpose,
      token: string,
      trx: Knex = db,
    ): Promise<{ userId: string; accountId: string } | undefined> {
      const [row] = await trx('AccountToken')
        .where({ purpose, token_hash: hashSecret(token) })
        .whereNull('used_at')
        .andWhere('expires_at', '>', trx.fn.now())
        .update({ used_at: trx.fn.now() })
        .returning<{ user_id: string; platform_account_id: string }[]>(['user_id', 'platform_account_id']);
      return row && { userId: row.user_id, accountId: row.platform_account_id };
    },

    /** Whose the link is, if it is still good, without using it (to show the reset form first). */
    async peek(
      purpose: TokenPurpose,
      token: string,
    ): Promise<{ userId: string; accountId: string } | undefined> {
      const row = await db('AccountToken')
        .where({ purpose, token_hash: hashSecret(token) })
        .whereNull('used_at')
        .andWhere('expires_at', '>', db.fn.now())
        .first<{ user_id: string; platform_account_id: string } | undefined>(
          'user_id',
          'platform_account_id',
        );
      return row && { userId: row.user_id, accountId: row.platform_account_id };
    },
  };
}
