import type { Knex } from 'knex';
import type { PlatformCheck } from '../../schemas/social.js';
import { platformForBot } from '../platform-tokens/platform-access.js';
import type { PermissionExplainer } from '../rbac/explain.js';
import type { Actor } from '../shared/actor.js';

/**
 * Whether a platform's user (the person behind a Discord, Twitch or YouTube chat message) may do something in Heimdall:
 * a bot asks before running a command. The answer goes through the Heimdall account that person linked (their
 * PlatformAccount), decided as for any credential of theirs (bans, deletion, roles, wildcards); a person who
 * linked nothing is `not_linked`, so the bot can tell them how to link. One query and one decision: bots ask
 * per command.
 */
export function createPlatformCheck(deps: { db: Knex; explainer: PermissionExplainer }) {
  return {
    async check(
      actor: Actor,
      platformParam: string,
      platformUserId: string,
      permission: string,
    ): Promise<PlatformCheck> {
      const platform = platformForBot(actor.auth, platformParam, { tokens: false });
      const account = await deps
        .db('PlatformAccount as pa')
        .join('User as u', 'u.id', 'pa.user_id')
        // YouTube's chat names its authors by channel, which is not the Google account's id.
        .where(
          platformParam === 'youtube'
            ? { 'pa.platform_id': platform, 'pa.youtube_channel_id': platformUserId }
            : { 'pa.platform_id': platform, 'pa.platform_user_id': platformUserId },
        )
        .first<{ user_id: string; username: string } | undefined>('pa.user_id', 'u.username');
      const asked = { platform, platform_user_id: platformUserId, permission };
      if (!account) {
        return {
          ...asked,
          linked: false,
          user_id: null,
          username: null,
          allowed: false,
          two_factor_session_required: false,
          reason: 'not_linked',
        };
      }
      const answer = await deps.explainer.explain({ userId: account.user_id }, permission);
      return {
        ...asked,
        linked: true,
        user_id: account.user_id,
        username: account.username,
        allowed: answer.allowed,
        two_factor_session_required: answer.two_factor_session_required,
        reason: answer.reason,
      };
    },
  };
}

export type PlatformCheckService = ReturnType<typeof createPlatformCheck>;
