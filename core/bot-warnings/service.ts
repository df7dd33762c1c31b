import type { Knex } from 'knex';
import {
  WARNING_PERMISSIONS,
  type BotPlatformId,
  type BotWarning,
  type BotWarningQuery,
  type CreateBotWarning,
} from '../../schemas/bots.js';
import type { AuditLogger } from '../audit/logger.js';
import { auditRecorder } from '../audit/recorder.js';
import type { AuthContext } from '../auth/context.js';
import { requirePermission } from '../auth/guards.js';
import { notFound } from '../errors/index.js';
import type { Actor } from '../shared/actor.js';

interface WarningRow {
  id: string;
  platform: BotPlatformId;
  community_id: string;
  member_platform_id: string;
  member_name: string;
  reason: string | null;
  moderator_platform_id: string;
  moderator_user_id: string | null;
  created_at: Date;
}

const toWarning = (row: WarningRow): BotWarning => ({ ...row, created_at: row.created_at.toISOString() });

const allow = (auth: AuthContext, platform: BotPlatformId, kind: 'read' | 'write') => {
  const [resource, action] = WARNING_PERMISSIONS[platform][kind].split(':') as [string, string];
  requirePermission(auth, resource, action);
};

/**
 * Warnings moderators give community members through a bot. The bot decides in chat whether the moderator may
 * (it asked Heimdall about their linked account); Heimdall holds the bot's credential to the same permission, keeps
 * the warning, and records it as the platform bot's `bot_moderation_action`, so every bot process and the admin
 * see one list and one trail.
 */
export function createBotWarningService(deps: { db: Knex; audit: AuditLogger }) {
  const audit = auditRecorder<'bot_moderation_action'>(deps.audit);
  const table = () => deps.db<WarningRow>('BotWarning');
  // An API key or an app's token is the bot; a person's session using these routes is recorded as what it is.
  const asBot = (actor: Actor, platform: BotPlatformId): Actor =>
    actor.auth.apiKey || (actor.auth.oauthClientId && !actor.auth.sessionId)
      ? { ...actor, source: `${platform}_bot` }
      : actor;

  return {
    async create(actor: Actor, platform: BotPlatformId, input: CreateBotWarning): Promise<BotWarning> {
      allow(actor.auth, platform, 'write');
      const [row] = (await table()
        .insert({
          platform,
          community_id: input.community_id,
          member_platform_id: input.member.id,
          member_name: input.member.name,
          reason: input.reason ?? null,
          moderator_platform_id: input.moderator.platform_id,
          // A user id that names nobody (deleted meanwhile) keeps the platform id only, not the request failing.
          moderator_user_id: input.moderator.user_id
            ? deps.db.raw('(SELECT id FROM "User" WHERE id = ?)', [input.moderator.user_id])
            : null,
        })
        .returning('*')) as WarningRow[];
      const warning = toWarning(row!);
      audit.record('bot_moderation_action', asBot(actor, platform), {
        user_id: warning.moderator_user_id ?? undefined,
        resource_type: `${platform}_community`,
        resource_id: warning.community_id,
        description: `Warned ${warning.member_name}`,
        metadata: {
          action: 'warn',
          platform,
          community: warning.community_id,
          warning_id: warning.id,
          member_platform_id: warning.member_platform_id,
          member_name: warning.member_name,
          reason: warning.reason,
          moderator_platform_id: warning.moderator_platform_id,
        },
      });
      return warning;
    },

    /** Newest first: a community's warnings, or one member's. */
    async list(
      auth: AuthContext,
      platform: BotPlatformId,
      query: BotWarningQuery,
    ): Promise<{ data: BotWarning[]; pagination: { page: number; per_page: number; total: number } }> {
      allow(auth, platform, 'read');
      const where = {
        platform,
        community_id: query.community_id,
        ...(query.member_id ? { member_platform_id: query.member_id } : {}),
      };
      const [rows, [count]] = await Promise.all([
        table()
          .where(where)
          .orderBy([
            { column: 'created_at', order: 'desc' },
            { column: 'id', order: 'desc' },
          ])
          .limit(query.per_page)
          .offset((query.page - 1) * query.per_page),
        table().where(where).count<{ count: string }[]>({ count: '*' }),
      ]);
      return {
        data: (rows as WarningRow[]).map(toWarning),
        pagination: { page: query.page, per_page: query.per_page, total: Number(count?.count ?? 0) },
      };
    },

    /** Takes a warning back (given in error, or forgiven); recorded with what it said. */
    async remove(actor: Actor, platform: BotPlatformId, id: string): Promise<void> {
      allow(actor.auth, platform, 'write');
      const [row] = (await table().where({ platform, id }).delete().returning('*')) as WarningRow[];
      if (!row) throw notFound('bot_warning.not_found', 'No such warning.');
      audit.record('bot_moderation_action', asBot(actor, platform), {
        resource_type: `${platform}_community`,
        resource_id: row.community_id,
        description: `Removed a warning of ${row.member_name}`,
        metadata: {
          action: 'unwarn',
          platform,
          community: row.community_id,
          warning_id: row.id,
          member_platform_id: row.member_platform_id,
          member_name: row.member_name,
          reason: row.reason,
        },
      });
    },
  };
}

export type BotWarningService = ReturnType<typeof createBotWarningService>;
