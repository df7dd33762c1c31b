import { z } from 'zod';
import { AUDIT_COLUMNS, AUDIT_STATUSES, auditRecordShape } from './audit-columns.js';
import { booleanQuery, dateTimeText } from './common.js';

export { AUDIT_STATUSES, type AuditStatus } from './audit-columns.js';

/** Every audit event type Heimdall records or accepts, grouped by what it concerns. */
export const AUDIT_EVENT_GROUPS = {
  authentication: ['login', 'login_failed', 'logout', 'password_changed', 'password_reset_requested'],
  two_factor: ['2fa_enabled', '2fa_disabled', '2fa_verified', '2fa_backup_codes_regenerated'],
  sessions: ['session_created', 'session_revoked', 'all_sessions_revoked'],
  account: ['user_created', 'user_updated', 'user_deleted', 'deletion_scheduled', 'deletion_cancelled'],
  account_links: ['account_linked', 'account_unlinked', 'account_reconnected', 'primary_account_changed'],
  oauth: [
    'consent_granted',
    'consent_revoked',
    'token_created',
    'token_revoked',
    'client_created',
    'client_updated',
    'client_deleted',
    'client_secret_regenerated',
  ],
  api_keys: ['api_key_created', 'api_key_updated', 'api_key_revoked'],
  admin: ['user_banned', 'user_unbanned', 'role_assigned', 'role_removed', 'permission_changed'],
  configuration: ['setting_changed', 'platform_changed'],
  data: ['data_exported', 'activity_reported', 'gps_data_changed'],
  bot: ['bot_command_executed', 'bot_config_changed', 'bot_moderation_action', 'bot_guild_configured'],
  integrations: [
    'integration_connected',
    'integration_reconnected',
    'integration_disconnected',
    'integration_token_refreshed',
    'integration_status_updated',
    'platform_token_refreshed',
    'platform_token_invalid',
    'platform_token_issued',
  ],
  storage: ['file_uploaded', 'file_updated', 'file_deleted'],
} as const;

export type AuditEventType = (typeof AUDIT_EVENT_GROUPS)[keyof typeof AUDIT_EVENT_GROUPS][number];

export const AUDIT_EVENT_TYPES: readonly AuditEventType[] = Object.values(AUDIT_EVENT_GROUPS).flat();

/**
 * The events an administrator watches as they happen (the admin dashboard's live feed): refused sign-ins, bans,
 * changes of who may do what, new and revoked keys and secrets, second factors switched off, sessions ended.
 */
export const SECURITY_FEED_EVENT_TYPES: readonly AuditEventType[] = [
  'login_failed',
  'user_banned',
  'user_unbanned',
  'role_assigned',
  'role_removed',
  'permission_changed',
  'api_key_created',
  'api_key_revoked',
  'client_secret_regenerated',
  '2fa_disabled',
  'all_sessions_revoked',
];

/**
 * Which application created an event: Heimdall's own services (`api` for REST, GraphQL and the CLI, `id` for the
 * ID pages, `admin` for the admin panel) and the apps that submit events.
 */
export const SOURCE_SERVICES = [
  'api',
  'id',
  'admin',
  'backend',
  'policies',
  'discord_bot',
  'twitch_bot',
  'youtube_bot',
] as const;
export type SourceService = (typeof SOURCE_SERVICES)[number];

/**
 * How far a submitted event's `created_at` may lie from the server clock: a clock running a little fast, and
 * an app replaying events it kept through an outage, but not history rewritten after the fact.
 */
export const AUDIT_CLOCK_SKEW = { futureMs: 5 * 60_000, pastMs: 30 * 24 * 3600_000 } as const;

const shortText = (max: number) => z.string().trim().min(1).max(max);

/**
 * An event as submitted by code or by apps (POST /v1/audit). GeoIP columns are not accepted: they are derived
 * from `ip_address` by the writer. `user_id` is text because it may be an external id (a Discord snowflake).
 */
export const auditEventInputSchema = z.strictObject({
  id: z.uuid().optional(),
  event_type: z.enum(AUDIT_EVENT_TYPES as [AuditEventType, ...AuditEventType[]]),
  user_id: shortText(255).optional(),
  actor_id: shortText(255).optional(),
  resource_type: shortText(100).optional(),
  resource_id: shortText(255).optional(),
  ip_address: z.union([z.ipv4(), z.ipv6()]).optional(),
  user_agent: z.string().max(1024).optional(),
  description: z.string().max(2000).optional(),
  metadata: z.record(z.string(), z.unknown()).default({}),
  status: z.enum(AUDIT_STATUSES).default('success'),
  error_message: z.string().max(2000).optional(),
  source_service: z.enum(SOURCE_SERVICES).optional(),
  is_reported: z.boolean().default(false),
  created_at: dateTimeText
    .refine(
      (text) => Date.parse(text) <= Date.now() + AUDIT_CLOCK_SKEW.futureMs,
      'Must not be more than 5 minutes in the future.',
    )
    .refine(
      (text) => Date.parse(text) >= Date.now() - AUDIT_CLOCK_SKEW.pastMs,
      'Must not be more than 30 days in the past.',
    )
    .optional()
    .describe('When it happened; at most 30 days ago and 5 minutes ahead of the server clock'),
});

export type AuditEventInput = z.input<typeof auditEventInputSchema>;
export type AuditEvent = z.output<typeof auditEventInputSchema>;

/** Events about a person's own account that they see in their activity (GET /v1/user/activity). */
export const USER_ACTIVITY_EVENT_TYPES: readonly AuditEventType[] = [
  ...AUDIT_EVENT_GROUPS.authentication,
  ...AUDIT_EVENT_GROUPS.two_factor,
  ...AUDIT_EVENT_GROUPS.sessions,
  ...AUDIT_EVENT_GROUPS.account,
  ...AUDIT_EVENT_GROUPS.account_links,
  ...AUDIT_EVENT_GROUPS.oauth,
  ...AUDIT_EVENT_GROUPS.api_keys,
  ...AUDIT_EVENT_GROUPS.admin,
  ...AUDIT_EVENT_GROUPS.data,
];

const eventTypeEnum = z.enum(AUDIT_EVENT_TYPES as [AuditEventType, ...AuditEventType[]]);

/** `event_type=login,logout` or `event_type=login&event_type=logout`. */
const eventTypeList = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).map((s) => s.trim()))
  .pipe(z.array(eventTypeEnum).min(1).max(AUDIT_EVENT_TYPES.length))
  .describe('One or more event types of the catalogue, comma-separated (login,logout) or repeated');

/** A stored event as the API shows it: one field per column of the AuditEvent table (audit-columns.ts). */
export const auditEventSchema = z.object(auditRecordShape);
export type AuditEventRecord = z.infer<typeof auditEventSchema>;

/**
 * The fields of a person's view of an event about them, in order: no metadata or actor id (an admin's notes stay
 * internal), and whether they did it themselves.
 */
export const ACTIVITY_FIELDS = [
  'id',
  'created_at',
  'event_type',
  'status',
  'description',
  'resource_type',
  'resource_id',
  'ip_address',
  'user_agent',
  'source_service',
  'is_reported',
  'by_self',
  'country_code',
  'country_name',
  'city',
  'region',
] as const;
export type ActivityColumnName = Exclude<(typeof ACTIVITY_FIELDS)[number], 'by_self'>;
/** The columns a person's activity shows, in order. */
export const ACTIVITY_COLUMNS = ACTIVITY_FIELDS.filter((f) => f !== 'by_self') as ActivityColumnName[];

const bySelf = z.boolean().describe('You did it (false: an administrator or an app acted on your account)');

export const activitySchema = z.object(
  Object.fromEntries(ACTIVITY_FIELDS.map((f) => [f, f === 'by_self' ? bySelf : AUDIT_COLUMNS[f].zod])) as {
    [K in ActivityColumnName]: (typeof auditRecordShape)[K];
  } & { by_self: typeof bySelf },
);
export type ActivityRecord = z.infer<typeof activitySchema>;

export const MAX_AUDIT_PAGE = 200;

const cursorPage = {
  limit: z.coerce.number().int().min(1).max(MAX_AUDIT_PAGE).default(50),
  cursor: z.string().max(200).optional().describe('next_cursor of the previous page'),
};

const timeRange = {
  from: dateTimeText.optional().describe('Events at or after this time'),
  to: dateTimeText.optional().describe('Events before this time'),
};

const rangeIsOrdered = (q: { from?: string | undefined; to?: string | undefined }) =>
  !q.from || !q.to || new Date(q.from) < new Date(q.to);
const rangeMessage = { message: '"from" must be before "to".', path: ['from'] };

/** The filters a person has over their own activity; the audit log adds the rest. */
const activityFilters = {
  event_type: eventTypeList.optional(),
  is_reported: booleanQuery.optional(),
  ...timeRange,
  ...cursorPage,
};

/** The audit log's filters: the search (GET /v1/audit) and the CSV export take the same. */
const auditFilters = {
  user_id: z.string().min(1).max(255).optional(),
  actor_id: z.string().min(1).max(255).optional(),
  status: z.enum(AUDIT_STATUSES).optional(),
  source_service: z.enum(SOURCE_SERVICES).optional(),
  resource_type: z.string().min(1).max(100).optional(),
  resource_id: z.string().min(1).max(255).optional(),
  country_code: z
    .string()
    .regex(/^[A-Za-z]{2}$/, 'A two-letter ISO 3166-1 country code.')
    .transform((c) => c.toUpperCase())
    .optional(),
  ip: z
    .union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()])
    .optional()
    .describe('An address, or a network in CIDR notation'),
  event_type: activityFilters.event_type,
  is_reported: activityFilters.is_reported,
  ...timeRange,
};

export const listAuditQuery = z
  .strictObject({ ...auditFilters, ...cursorPage })
  .refine(rangeIsOrdered, rangeMessage);
export type ListAuditQuery = z.output<typeof listAuditQuery>;

/** The filters of an export of the audit log (core/audit/export.ts): the search's, without paging. */
export const exportAuditQuery = z.strictObject(auditFilters).refine(rangeIsOrdered, rangeMessage);
export type ExportAuditQuery = z.output<typeof exportAuditQuery>;

export const listActivityQuery = z.strictObject(activityFilters).refine(rangeIsOrdered, rangeMessage);
export type ListActivityQuery = z.output<typeof listActivityQuery>;

export const cursorListOf = <T extends z.ZodType>(item: T) =>
  z.object({
    data: z.array(item),
    next_cursor: z
      .string()
      .nullable()
      .describe('Pass as `cursor` for the next (older) page; null at the end'),
  });

/** POST /v1/audit: apps say who they are (`source_service` is required). */
export const submittedAuditEventSchema = auditEventInputSchema.extend({
  source_service: z.enum(SOURCE_SERVICES),
});
export const MAX_AUDIT_BATCH = 1000;
export const submitAuditBody = z.union([
  z.strictObject({ events: z.array(submittedAuditEventSchema).min(1).max(MAX_AUDIT_BATCH) }),
  submittedAuditEventSchema,
]);
export type SubmitAuditBody = z.output<typeof submitAuditBody>;

export const submitAuditResponse = z.object({ ids: z.array(z.uuid()) });

export const reportActivityBody = z.strictObject({
  reason: z.string().trim().max(1000).optional().describe('What you noticed, for the administrators'),
});
