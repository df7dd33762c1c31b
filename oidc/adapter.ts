import type { Knex } from 'knex';
import { errors, type Adapter, type AdapterPayload } from 'oidc-provider';
import { prepared } from '../core/db/prepared.js';
import { deleteGrants, LIVE_OIDC_ROW, type GrantsRevoked } from '../core/tokens/grants.js';

/**
 * oidc-provider's storage in PostgreSQL: every model in the one "OidcPayload" table, keyed by
 * (model, id), with the columns each lookup needs. Expired rows are invisible at once and deleted by the
 * scheduler (`deleteExpiredOidcRows`). Clients are not stored here: see clients.ts.
 * Each model's queries are prepared statements naming the model (core/db/prepared.ts): a sign-in runs a dozen of
 * them, and PostgreSQL plans each once per connection, straight onto the model's partition (migration 0013).
 */
interface Found {
  payload: AdapterPayload;
  consumed: boolean;
}

const MODEL_NAME = /^[A-Za-z]+$/;

/** The statements of one model; its name is part of their text, so it must be a plain word. */
function statements(model: string) {
  if (!MODEL_NAME.test(model)) throw new Error(`not an oidc-provider model name: ${model}`);
  const live = `FROM "OidcPayload" WHERE model = '${model}' AND ${LIVE_OIDC_ROW}`;
  const found = (column: string) =>
    prepared<Found>(`SELECT payload, consumed_at IS NOT NULL AS consumed ${live} AND ${column} = $1 LIMIT 1`);
  return {
    upsert: prepared(
      `INSERT INTO "OidcPayload" (model, id, payload, grant_id, uid, user_code, expires_at)
       VALUES ('${model}', $1, $2, $3, $4, $5, now() + make_interval(secs => $6))
       ON CONFLICT (model, id) DO UPDATE SET payload = excluded.payload, grant_id = excluded.grant_id,
         uid = excluded.uid, user_code = excluded.user_code, expires_at = excluded.expires_at`,
    ),
    find: found('id'),
    findByUid: found('uid'),
    findByUserCode: found('user_code'),
    consume: prepared<{ grant_id: string | null }>(
      `UPDATE "OidcPayload" SET consumed_at = now() WHERE model = '${model}' AND id = $1 AND consumed_at IS NULL
       RETURNING grant_id`,
    ),
    grantOf: prepared<{ grant_id: string | null; account_id: string | null }>(
      `SELECT grant_id, payload->>'accountId' AS account_id FROM "OidcPayload" WHERE model = '${model}' AND id = $1`,
    ),
    destroy: prepared(`DELETE FROM "OidcPayload" WHERE model = '${model}' AND id = $1`),
    revokeByGrantId: prepared(`DELETE FROM "OidcPayload" WHERE model = '${model}' AND grant_id = $1`),
  };
}

export function createPgAdapter(db: Knex, model: string, onGrantsRevoked?: GrantsRevoked): Adapter {
  const sql = statements(model);
  const answer = ({ rows: [row] }: { rows: Found[] }): AdapterPayload | undefined =>
    row ? { ...row.payload, ...(row.consumed ? { consumed: true } : {}) } : undefined;

  return {
    async upsert(id, payload, expiresIn) {
      await sql.upsert(db, [
        id,
        JSON.stringify(payload),
        payload.grantId ?? null,
        payload.uid ?? null,
        payload.userCode ?? null,
        // No expiry: make_interval(NULL) is NULL, and so is the sum.
        expiresIn || null,
      ]);
    },
    async find(id) {
      return answer(await sql.find(db, [id]));
    },
    async findByUid(uid) {
      return answer(await sql.findByUid(db, [uid]));
    },
    async findByUserCode(userCode) {
      return answer(await sql.findByUserCode(db, [userCode]));
    },
    /**
     * Atomic: of two requests redeeming the same code or refresh token at once, one wins. The loser is a replay
     * the provider's own check did not see: like reuse, it costs the whole grant (RFC 6749 §4.1.2, RFC 9700).
     */
    async consume(id) {
      if ((await sql.consume(db, [id])).rowCount > 0) return;
      const [row] = (await sql.grantOf(db, [id])).rows;
      // The code or token names whose grant it was: only that user's open connections need to check again.
      if (row?.grant_id) await deleteGrants(db, [row.grant_id], onGrantsRevoked, row.account_id);
      throw new errors.InvalidGrant('grant request is invalid');
    },
    async destroy(id) {
      await sql.destroy(db, [id]);
    },
    async revokeByGrantId(grantId) {
      await sql.revokeByGrantId(db, [grantId]);
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
