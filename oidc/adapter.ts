import type { Knex } from 'knex';
import { errors, type Adapter, type AdapterPayload } from 'oidc-provider';
import { deleteGrants, type GrantsRevoked } from '../core/tokens/grants.js';

/**
 * oidc-provider's storage in PostgreSQL (issue 6): every model in the one "OidcPayload" table, keyed by
 * (model, id), with the columns each lookup needs. Expired rows are invisible at once and deleted by the
 * scheduler (`deleteExpiredOidcRows`). Clients are not stored here: see clients.ts.
 */
interface Row {
  payload: AdapterPayload;
  consumed_at: Date | null;
}

export function createPgAdapter(db: Knex, model: string, onGrantsRevoked?: GrantsRevoked): Adapter {
  const table = () => db<Row & { model: string; id: string }>('OidcPayload');
  const live = () =>
    table()
      .where({ model })
      .andWhere((q) => q.whereNull('expires_at').orWhere('expires_at', '>', db.fn.now()));

  const answer = (row: Row | undefined): AdapterPayload | undefined =>
    row ? { ...row.payload, ...(row.consumed_at ? { consumed: true } : {}) } : undefined;

  return {
    async upsert(id, payload, expiresIn) {
      const row = {
        model,
        id,
        payload: JSON.stringify(payload),
        grant_id: payload.grantId ?? null,
        uid: payload.uid ?? null,
        user_code: payload.userCode ?? null,
        expires_at: expiresIn ? db.raw(`now() + make_interval(secs => ?)`, [expiresIn]) : null,
      };
      await table()
        .insert(row as never)
        .onConflict(['model', 'id'])
        .merge(['payload', 'grant_id', 'uid', 'user_code', 'expires_at'] as never);
    },
    async find(id) {
      return answer(await live().where({ id }).first('payload', 'consumed_at'));
    },
    async findByUid(uid) {
      return answer(await live().where('uid', uid).first('payload', 'consumed_at'));
    },
    async findByUserCode(userCode) {
      return answer(await live().where('user_code', userCode).first('payload', 'consumed_at'));
    },
    /**
     * Atomic: of two requests redeeming the same code or refresh token at once, one wins. The loser is a replay
     * the provider's own check did not see: like reuse, it costs the whole grant (RFC 6749 §4.1.2, RFC 9700).
     */
    async consume(id) {
      const won = await table()
        .where({ model, id })
        .whereNull('consumed_at')
        .update({ consumed_at: db.fn.now() } as never)
        .returning<{ grant_id: string | null }[]>('grant_id');
      if (won.length > 0) return;
      const row = await table()
        .where({ model, id })
        .first<{ grant_id: string | null } | undefined>('grant_id');
      if (row?.grant_id) await deleteGrants(db, [row.grant_id], onGrantsRevoked);
      throw new errors.InvalidGrant('grant request is invalid');
    },
    async destroy(id) {
      await table().where({ model, id }).delete();
    },
    async revokeByGrantId(grantId) {
      await table()
        .where({ model, grant_id: grantId } as never)
        .delete();
    },
  };
}

/**
 * The cleanup job: deletes rows past their expiry, in batches so a large backlog never locks the table long.
 * Rows are named by their key: the table is partitioned (migration 0013), and a ctid is unique only within
 * a partition.
 */
export async function deleteExpiredOidcRows(db: Knex, batch = 5000): Promise<number> {
  let total = 0;
  for (;;) {
    const result = await db.raw<{ rowCount: number }>(
      `DELETE FROM "OidcPayload" WHERE (model, id) IN (
         SELECT model, id FROM "OidcPayload" WHERE expires_at <= now() LIMIT ?)`,
      [batch],
    );
    total += result.rowCount;
    if (result.rowCount < batch) return total;
  }
}
