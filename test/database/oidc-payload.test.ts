import { beforeAll, describe, expect, it } from '@jest/globals';
import { createMigrator } from '../../core/db/migrate.js';
import { SHORT_LIVED_MODELS } from '../../oidc/adapter-factory.js';
import { createPgAdapter, deleteExpiredOidcRows } from '../../oidc/adapter.js';
import { useTestDatabase } from '../support/knex.js';
import { oidcShortLivedUnlogged } from '../../migrations/core/0013_oidc_short_lived_unlogged.js';

const AUDIT = { retentionDays: 365, compressionAfterDays: 30, chunkIntervalDays: 7, partitionsAheadWeeks: 4 };

/**
 * "OidcPayload" (migration 0013): one table, partitioned by model, whose short-lived partition is UNLOGGED
 * (no write-ahead log for sign-in interactions and codes) while sessions, grants and tokens stay logged.
 */
describe('OidcPayload partitions', () => {
  const t = useTestDatabase();
  beforeAll(async () => {
    await createMigrator(t.db, 'core', AUDIT).up();
  });

  const partitions = async () =>
    (
      await t.db.raw<{ rows: { name: string; persistence: string; bound: string }[] }>(
        `SELECT c.relname AS name, c.relpersistence AS persistence, pg_get_expr(c.relpartbound, c.oid) AS bound
           FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
          WHERE i.inhparent = '"OidcPayload"'::regclass ORDER BY 1`,
      )
    ).rows;

  it('keeps exactly the short-lived models unlogged, everything else logged', async () => {
    const [long, short] = await partitions();
    expect(long).toMatchObject({ name: 'OidcPayload_long_lived', persistence: 'p', bound: 'DEFAULT' });
    expect(short).toMatchObject({ name: 'OidcPayload_short_lived', persistence: 'u' });
    const models = [...short!.bound.matchAll(/'([^']+)'/g)].map((m) => m[1]);
    // SHORT_LIVED_MODELS is also what goes to Redis when it is configured: a change needs a migration.
    expect(models.sort()).toEqual([...SHORT_LIVED_MODELS].sort());
  });

  it('stores each model in its partition; the adapter reads, consumes and revokes across both', async () => {
    const interactions = createPgAdapter(t.db, 'Interaction');
    const codes = createPgAdapter(t.db, 'AuthorizationCode');
    const refresh = createPgAdapter(t.db, 'RefreshToken');
    await interactions.upsert('i1', { uid: 'u1', returnTo: '/x' }, 60);
    await codes.upsert('c1', { grantId: 'g1' }, 60);
    await refresh.upsert('r1', { grantId: 'g1' }, 600);
    const where = async (table: string) => (await t.db(table).orderBy('id')).map((r) => r.id);
    expect(await where('OidcPayload_short_lived')).toEqual(['c1', 'i1']);
    expect(await where('OidcPayload_long_lived')).toEqual(['r1']);
    expect(await interactions.findByUid!('u1')).toMatchObject({ returnTo: '/x' });
    await codes.consume('c1');
    expect(await codes.find('c1')).toMatchObject({ consumed: true });
    await refresh.revokeByGrantId('g1');
    await codes.revokeByGrantId('g1');
    expect(await t.db('OidcPayload').whereIn('id', ['c1', 'r1'])).toHaveLength(0);
  });

  it('stores no expiry as NULL, and an upsert keeps the consumed mark and the new payload', async () => {
    const codes = createPgAdapter(t.db, 'AuthorizationCode');
    await codes.upsert('forever', { grantId: 'g2' }, 0);
    await codes.upsert('soon', { grantId: 'g2' }, 90);
    const expiry = async (id: string) =>
      (
        await t.db.raw<{ rows: { secs: number | null }[] }>(
          `SELECT extract(epoch FROM expires_at - now())::int AS secs FROM "OidcPayload" WHERE id = ?`,
          [id],
        )
      ).rows[0]!.secs;
    expect(await expiry('forever')).toBeNull();
    expect(await expiry('soon')).toBeGreaterThan(80);
    await codes.consume('soon');
    await codes.upsert('soon', { grantId: 'g2', scope: 'openid' }, 90);
    expect(await codes.find('soon')).toEqual({ grantId: 'g2', scope: 'openid', consumed: true });
    await expect(codes.consume('soon')).rejects.toMatchObject({ error: 'invalid_grant' });
    expect(() => createPgAdapter(t.db, "Grant' OR 'x")).toThrow('not an oidc-provider model name');
  });

  it('the cleanup deletes expired rows only, in every partition (rows may share a ctid across partitions)', async () => {
    await t.db('OidcPayload').delete();
    // The first row of each partition has the same ctid, (0,1): one expired, one not.
    await t.db('OidcPayload').insert([
      { model: 'Interaction', id: 'old', payload: '{}', expires_at: t.db.raw(`now() - interval '1 minute'`) },
      { model: 'Session', id: 'live', payload: '{}', expires_at: t.db.raw(`now() + interval '1 hour'`) },
      {
        model: 'Session',
        id: 'old-session',
        payload: '{}',
        expires_at: t.db.raw(`now() - interval '1 hour'`),
      },
      {
        model: 'AuthorizationCode',
        id: 'live-code',
        payload: '{}',
        expires_at: t.db.raw(`now() + interval '1 minute'`),
      },
    ]);
    expect(await deleteExpiredOidcRows(t.db, 1)).toBe(2);
    expect((await t.db('OidcPayload').orderBy('id').pluck('id')).sort()).toEqual(['live', 'live-code']);
  });

  it('migrates back to one plain table and forward again with the rows kept', async () => {
    await t.db('OidcPayload').insert([
      { model: 'Interaction', id: 'kept-i', payload: '{"a":1}', uid: 'kept-u' },
      { model: 'Grant', id: 'kept-g', payload: '{"b":2}' },
    ]);
    // The migration's own steps (the migrator rolls back whole batches: here, every migration).
    await oidcShortLivedUnlogged.down(t.db);
    expect(await partitions()).toEqual([]);
    expect(
      (await t.db('OidcPayload').whereIn('id', ['kept-i', 'kept-g']).orderBy('id')).map((r) => r.payload),
    ).toEqual([{ b: 2 }, { a: 1 }]);
    await oidcShortLivedUnlogged.up(t.db);
    expect(await t.db('OidcPayload_short_lived').where({ id: 'kept-i' }).first('uid')).toEqual({
      uid: 'kept-u',
    });
    expect(await t.db('OidcPayload_long_lived').where({ id: 'kept-g' }).first('id')).toEqual({
      id: 'kept-g',
    });
  });
});
