import { z } from 'zod';

/** The dashboard's window: 7 days, the current one last. */
export const DASHBOARD_DAYS = 7;
/** One bucket per hour over the window, the current hour last. */
export const DASHBOARD_HOURS = DASHBOARD_DAYS * 24;

const share = z.object({
  users: z.number().int(),
  enabled: z.number().int().describe('Of those, with 2FA enabled'),
  rate: z.number().nullable().describe('enabled / users, 0 to 1 (null without users)'),
});

/** What the admin dashboard shows (permission `stats:read`). */
export const dashboardStatsSchema = z.object({
  generated_at: z.string(),
  users: z.object({
    total: z.number().int().describe('Not deleted'),
    new_last_7_days: z.number().int(),
  }),
  sessions: z.object({ active: z.number().int().describe('Not expired') }),
  two_factor: z.object({
    required: share.describe('Users with a role that requires 2FA'),
    overall: share.describe('Every user'),
  }),
  api_keys: z.object({ active: z.number().int().describe('Active and not expired') }),
  oauth_clients: z.object({ active: z.number().int() }),
  sign_ins: z.object({
    from: z.string().describe('Start of the first hour (UTC)'),
    to: z.string().describe('End of the last hour, the current one'),
    total: z.number().int().describe('`login` events in the window'),
    failed_total: z.number().int().describe('`login_failed` events in the window'),
    hourly: z
      .array(z.object({ hour: z.string(), sign_ins: z.number().int(), failed: z.number().int() }))
      .describe(`${DASHBOARD_HOURS} hours, oldest first, hours without events included`),
    by_country_days: z
      .object({ from: z.string(), to: z.string() })
      .describe('The UTC days by_country covers (YYYY-MM-DD): today and the 6 before'),
    by_country: z
      .array(
        z.object({
          country_code: z.string().nullable().describe('null: no place known (private address, no GeoIP)'),
          country_name: z.string().nullable(),
          sign_ins: z.number().int(),
        }),
      )
      .describe('Sign-ins by country over by_country_days, most first'),
  }),
});
export type DashboardStats = z.infer<typeof dashboardStatsSchema>;
