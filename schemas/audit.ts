import { z } from 'zod';

/** Every audit event type of seed 000 ("Audit Event Types"), grouped as the seed groups them. */
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
  data: ['data_exported', 'activity_reported'],
  bot: ['bot_command_executed', 'bot_config_changed', 'bot_moderation_action', 'bot_guild_configured'],
  integrations: [
    'integration_connected',
    'integration_reconnected',
    'integration_disconnected',
    'integration_token_refreshed',
    'integration_status_updated',
  ],
} as const;

export type AuditEventType = (typeof AUDIT_EVENT_GROUPS)[keyof typeof AUDIT_EVENT_GROUPS][number];

export const AUDIT_EVENT_TYPES: readonly AuditEventType[] = Object.values(AUDIT_EVENT_GROUPS).flat();

/** Seed 000 ("Source Services"): which application created an event. */
export const SOURCE_SERVICES = ['api', 'id', 'backend', 'policies', 'discord_bot', 'twitch_bot'] as const;
export type SourceService = (typeof SOURCE_SERVICES)[number];

export const AUDIT_STATUSES = ['success', 'failure'] as const;
export type AuditStatus = (typeof AUDIT_STATUSES)[number];

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
  created_at: z.coerce.date().optional(),
});

export type AuditEventInput = z.input<typeof auditEventInputSchema>;
export type AuditEvent = z.output<typeof auditEventInputSchema>;
