import { beforeAll, describe, expect, it } from '@jest/globals';
import { DASHBOARD_HOURS, dashboardStatsSchema } from '../../schemas/stats.js';
import { useCoreServices } from '../../test/support/core-services.js';
import { createKey, createUser } from '../../test/support/fixtures.js';
import { copyAuditRows, toAuditRow } from '../audit/rows.js';
import { createStatsService } from './service.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The dashboard against a database filled with known rows and events. */
describe('dashboard statistics', () => {
  const t = useCoreServices();
  const now = new Date();
  const currentHour = Math.floor(now.getTime() / HOUR) * HOUR;

  beforeAll(async () => {
    const user = async (roleIds: string[], twoFactor = false) => createUser(t.db, { roleIds, twoFactor });
    // Moderators must use 2FA: two of three have it. Users need not: one of four has it.
    await user(['role_moderator'], true);
    await user(['role_moderator'], true);
    await user(['role_moderator']);
    const old = await user(['role_user'], true);
    const older = await user(['role_user']);
    await user(['role_user']);
    await user(['role_user']);
    await t
      .db('User')
      .whereIn('id', [old, older])
      .update({ created_at: new Date(now.getTime() - 10 * DAY) });
    // Deleted users count nowhere.
    const gone = await user(['role_admin'], true);
    await t.db('User').where({ id: gone }).update({ deleted_at: now });

    const session = (userId: string, expires: Date, i: number) => ({
      user_id: userId,
      session_token: `stats-${i}`,
      expires,
    });
    await t
      .db('Session')
      .insert([
        session(old, new Date(now.getTime() + DAY), 1),
        session(older, new Date(now.getTime() + HOUR), 2),
        session(older, new Date(now.getTime() - HOUR), 3),
      ]);

    await createKey(t.db, { userId: old });
    await createKey(t.db, { isSystem: true });
    await createKey(t.db, { isActive: false });
    await createKey(t.db, { expiresAt: new Date(now.getTime() - HOUR) });
    const client = (name: string, isActive: boolean) => ({
      client_id: `hc_${name}`,
      name,
      redirect_uris: ['https://stats.example/cb'],
      client_secret: 'x',
      is_active: isActive,
    });
    await t.db('OAuthClient').insert([client('a', true), client('b', true), client('c', false)]);

    // Sign-ins: 3 this hour (2 DE, 1 without a place), 2 failed an hour ago (SE), 4 five days ago (DE, SE×3),
    // and events the dashboard must leave out (older than the window, other types).
    const at = (hoursAgo: number, minute: number) =>
      new Date(currentHour - hoursAgo * HOUR + minute * 60_000);
    const events: [string, Date, string | null][] = [
      ['login', at(0, 0), 'DE'],
      ['login', at(0, 0), 'DE'],
      ['login', at(0, 0), null],
      ['login_failed', at(1, 30), 'SE'],
      ['login_failed', at(1, 59), 'SE'],
      ['login', at(120, 5), 'DE'],
      ['login', at(120, 6), 'SE'],
      ['login', at(120, 7), 'SE'],
      ['login', at(120, 8), 'SE'],
      ['login', at(DASHBOARD_HOURS, 30), 'US'],
      ['login', at(24 * 9, 0), 'US'],
      ['logout', at(0, 0), 'DE'],
      ['token_created', at(2, 0), 'FR'],
    ];
    await copyAuditRows(
      t.db,
      events.map(([type, createdAt, country], i) => {
        const row = toAuditRow({
          event_type: type as 'login',
          user_id: `u${i}`,
          created_at: new Date(Math.min(createdAt.getTime(), Date.now())).toISOString(),
        });
        row.country_code = country;
        return row;
      }),
    );
  });

  it('counts users, sessions, 2FA adoption, keys and clients', async () => {
    const stats = await createStatsService({ db: t.db, auditDb: t.db }).dashboard(now);
    expect(dashboardStatsSchema.parse(stats)).toEqual(stats);
    expect(stats).toMatchObject({
      users: { total: 7, new_last_7_days: 5 },
      sessions: { active: 2 },
      two_factor: {
        required: { users: 3, enabled: 2, rate: 2 / 3 },
        overall: { users: 7, enabled: 3, rate: 3 / 7 },
      },
      api_keys: { active: 2 },
      oauth_clients: { active: 2 },
    });
  });

  it('answers 168 zero-filled hours of sign-ins and failures, and sign-ins by country', async () => {
    const { sign_ins: s } = await createStatsService({ db: t.db, auditDb: t.db }).dashboard(now);
    expect(s.from).toBe(new Date(currentHour - (DASHBOARD_HOURS - 1) * HOUR).toISOString());
    expect(s.to).toBe(new Date(currentHour + HOUR).toISOString());
    expect(s.hourly).toHaveLength(DASHBOARD_HOURS);
    expect(s.hourly.at(-1)).toEqual({ hour: new Date(currentHour).toISOString(), sign_ins: 3, failed: 0 });
    expect(s.hourly.at(-2)).toEqual({
      hour: new Date(currentHour - HOUR).toISOString(),
      sign_ins: 0,
      failed: 2,
    });
    expect(s.hourly.at(-121)).toMatchObject({ sign_ins: 4, failed: 0 });
    expect(s.hourly.filter((h) => h.sign_ins || h.failed)).toHaveLength(3);
    expect({ total: s.total, failed_total: s.failed_total }).toEqual({ total: 7, failed_total: 2 });
    expect(s.by_country_days).toEqual({
      from: new Date(now.getTime() - 6 * DAY).toISOString().slice(0, 10),
      to: now.toISOString().slice(0, 10),
    });
    expect(s.by_country).toEqual([
      { country_code: 'DE', country_name: 'Germany', sign_ins: 3 },
      { country_code: 'SE', country_name: 'Sweden', sign_ins: 3 },
      { country_code: null, country_name: null, sign_ins: 1 },
    ]);
  });
});
