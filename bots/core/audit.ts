import type { HeimdallClient } from '../../sdk/rest/index.js';
import type { BotPlatform } from './adapter.js';
import type { ArgSpec, RawArg } from './args.js';

/** The `source_service` a platform's bot writes audit events as. */
export type BotSourceService = 'discord_bot' | 'twitch_bot' | 'youtube_bot';
export const SOURCE_SERVICE: Record<BotPlatform, BotSourceService> = {
  discord: 'discord_bot',
  twitch: 'twitch_bot',
  youtube: 'youtube_bot',
};

const MAX_SUMMARY_TEXT = 100;
const clip = (text: string) =>
  text.length > MAX_SUMMARY_TEXT ? `${text.slice(0, MAX_SUMMARY_TEXT)}…` : text;

/** The arguments as the audit trail keeps them: secrets and long text left out, mentions as written. */
export function summarizeArgs(
  specs: readonly ArgSpec[],
  args: Record<string, RawArg>,
): Record<string, string | number> {
  const summary: Record<string, string | number> = {};
  for (const spec of specs) {
    const arg = args[spec.name];
    if (!arg) continue;
    if (spec.secret) summary[spec.name] = '[redacted]';
    else if (arg.kind === 'user') summary[spec.name] = arg.mention;
    else if (arg.kind === 'string' || arg.kind === 'text') summary[spec.name] = clip(arg.value);
    else summary[spec.name] = arg.kind === 'integer' ? arg.value : arg.text;
  }
  return summary;
}

export type BotAuditEventType =
  'bot_command_executed' | 'bot_config_changed' | 'bot_guild_configured' | 'bot_moderation_action';

export interface BotAuditEvent {
  eventType: BotAuditEventType;
  sourceService: BotSourceService;
  status: 'success' | 'failure';
  /** The Heimdall user, when the author's account is linked and the runtime asked. */
  userId: string | undefined;
  /** Who acted, on the platform: `discord:1234`. */
  actorId: string;
  /** The community: `discord:guild:1234` as `resource_type` and `resource_id`. */
  community: { platform: BotPlatform; id: string };
  description: string;
  metadata: Record<string, unknown>;
  errorMessage?: string;
}

/** Stores one event through `POST /v1/audit` (the bot's credential needs `audit:write`). */
export async function recordAuditEvent(client: HeimdallClient, event: BotAuditEvent): Promise<void> {
  await client.post('/v1/audit', {
    body: {
      event_type: event.eventType,
      source_service: event.sourceService,
      status: event.status,
      ...(event.userId ? { user_id: event.userId } : {}),
      actor_id: event.actorId,
      resource_type: `${event.community.platform}_community`,
      resource_id: event.community.id,
      description: event.description,
      metadata: event.metadata,
      ...(event.errorMessage ? { error_message: event.errorMessage.slice(0, 2000) } : {}),
    },
  });
}
