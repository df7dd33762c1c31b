import type { Knex } from 'knex';
import { DASHBOARD_DAYS, DASHBOARD_HOURS, type DashboardStats } from '../../schemas/stats.js';
import { createCountQueries } from '../audit/counts.js';
import { createStatsQueries } from './queries.js';

const HOUR_MS = 3_600_000;

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });
function countryName(code: string | null): string | null {
  if (!code) return null;
  try {
    return regionNames.of(code) ?? null;
  } catch {
    return null;
  }
}

const rate = (part: number, whole: number) => (whole === 0 ? null : part / whole);

/**
 * The admin dashboard (permission `stats:read`, checked by the caller as for every read): users, sessions, 2FA
 * adoption, API keys and OAuth clients from the primary database, and the sign-ins of the last 7 days from
 * the audit database's event counts: per hour over the 168 whole UTC hours ending with the current one
 * (AuditEventHourly, at most 168 rows per type), and by country over today and the 6 days before, UTC
 * (AuditEventDaily, at most 7 rows per country). Neither depends on how many events are stored.
 */
export function createStatsService(deps: { db: Knex; auditDb: Knex }) {
  const primary = createStatsQueries(deps.db);
  const audit = createCountQueries(deps.auditDb);

  return {
    async dashboard(now: Date = new Date()): Promise<DashboardStats> {
      const to = new Date((Math.floor(now.getTime() / HOUR_MS) + 1) * HOUR_MS);
      const from = new Date(to.getTime() - DASHBOARD_HOURS * HOUR_MS);
      const today = now.toISOString().slice(0, 10);
      const firstDay = new Date(Date.parse(today) - (DASHBOARD_DAYS - 1) * 24 * HOUR_MS)
        .toISOString()
        .slice(0, 10);
      const [counts, perHour, perCountry] = await Promise.all([
        primary.counts(new Date(now.getTime() - DASHBOARD_DAYS * 24 * HOUR_MS)),
        audit.perHour(['login', 'login_failed'], from, to),
        audit.perCountry('login', firstDay, today),
      ]);

      const buckets = Array.from({ length: DASHBOARD_HOURS }, (_, i) => ({
        hour: new Date(from.getTime() + i * HOUR_MS).toISOString(),
        sign_ins: 0,
        failed: 0,
      }));
      for (const row of perHour) {
        const bucket = buckets[(Date.parse(row.hour) - from.getTime()) / HOUR_MS];
        if (!bucket) continue;
        if (row.event_type === 'login') bucket.sign_ins += row.count;
        else bucket.failed += row.count;
      }

      return {
        generated_at: now.toISOString(),
        users: { total: counts.users, new_last_7_days: counts.new_users },
        sessions: { active: counts.active_sessions },
        two_factor: {
          required: {
            users: counts.required_2fa_users,
            enabled: counts.required_2fa_enabled,
            rate: rate(counts.required_2fa_enabled, counts.required_2fa_users),
          },
          overall: {
            users: counts.users,
            enabled: counts.enabled_2fa_users,
            rate: rate(counts.enabled_2fa_users, counts.users),
          },
        },
        api_keys: { active: counts.active_api_keys },
        oauth_clients: { active: counts.active_oauth_clients },
        sign_ins: {
          from: from.toISOString(),
          to: to.toISOString(),
          total: buckets.reduce((sum, b) => sum + b.sign_ins, 0),
          failed_total: buckets.reduce((sum, b) => sum + b.failed, 0),
          hourly: buckets,
          by_country_days: { from: firstDay, to: today },
          by_country: perCountry.map((c) => ({
            country_code: c.country_code,
            country_name: countryName(c.country_code),
            sign_ins: c.count,
          })),
        },
      };
    },
  };
}

export type StatsService = ReturnType<typeof createStatsService>;
