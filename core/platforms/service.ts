import type { Knex } from 'knex';
import type { PlatformRecord } from '../../schemas/platforms.js';
import type { AuditLogger } from '../audit/logger.js';
import { auditRecorder } from '../audit/recorder.js';
import { requirePermission } from '../auth/guards.js';
import { AppError, notFound } from '../errors/index.js';
import type { Actor } from '../shared/actor.js';
import { isoDates } from '../shared/serialize.js';
import { createPlatformQueries } from './queries.js';

/**
 * The sign-in platforms (email, Twitch, Discord, …): listing them, and turning one on or off, which needs
 * `settings:write` (platforms are part of the platform's configuration, as in the GraphQL Platform list) and
 * records `platform_changed`. At least one platform stays enabled: turning off the last one (the email
 * platform, usually) would leave nobody a way to sign in, so it is refused with 409 `platform.last_enabled`.
 */
export function createPlatformService(deps: { db: Knex; audit: AuditLogger }) {
  const queries = createPlatformQueries(deps.db);
  const audit = auditRecorder<'platform_changed'>(deps.audit, { resource_type: 'platform' });

  return {
    /** Every platform, in sign-in page order. */
    list: async (): Promise<PlatformRecord[]> => (await queries.all()).map(isoDates),

    /** Turns a platform on or off; doing what is already so changes nothing and records nothing. */
    async setEnabled(actor: Actor, id: string, enabled: boolean): Promise<PlatformRecord> {
      requirePermission(actor.auth, 'settings', 'write');
      if (typeof enabled !== 'boolean') {
        throw new AppError('platform.invalid_value', 400, '`enabled` must be true or false.', {
          fields: [{ field: 'enabled', message: 'Expected a boolean.' }],
        });
      }
      const { before, after } = await deps.db.transaction(async (trx) => {
        const platforms = await queries.lockAll(trx);
        const current = platforms.find((p) => p.id === id);
        if (!current) throw notFound('platform.not_found', `No platform ${id}.`);
        if (current.enabled === enabled) return { before: current, after: undefined };
        if (!enabled && !platforms.some((p) => p.id !== id && p.enabled)) {
          throw new AppError(
            'platform.last_enabled',
            409,
            `${current.name} is the only enabled platform: turning it off would leave nobody a way to sign in. Enable another platform first.`,
          );
        }
        return { before: current, after: await queries.setEnabled(id, enabled, trx) };
      });
      if (!after) return isoDates(before);
      audit.record('platform_changed', actor, {
        resource_id: id,
        description: `platform ${id}: ${enabled ? 'enabled' : 'disabled'}`,
        metadata: { operation: 'update', changed: ['enabled'], old_enabled: before.enabled, enabled },
      });
      return isoDates(after);
    },
  };
}

export type PlatformService = ReturnType<typeof createPlatformService>;
