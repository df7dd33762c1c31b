import type { Readable } from 'node:stream';
import type { Knex } from 'knex';
import type { AuditLogger } from '../audit/logger.js';
import { auditRecorder } from '../audit/recorder.js';
import { assertScope, requireUserId } from '../auth/guards.js';
import { AppError, notFound } from '../errors/index.js';
import type { Actor } from '../shared/actor.js';
import type { StorageService, Upload } from '../storage/service.js';
import { seesPrivateFields, type Viewer } from './visibility.js';

/** An avatar's own limit, far below general storage's: it is shown small and fetched often. */
export const AVATAR_MAX_BYTES = 2 * 1024 * 1024;

/** The first bytes each accepted type starts with: a body is taken for what it is, not what it says. */
const SIGNATURES: Record<string, (head: Buffer) => boolean> = {
  'image/png': (h) => h.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  'image/jpeg': (h) => h.length >= 3 && h[0] === 0xff && h[1] === 0xd8 && h[2] === 0xff,
  'image/webp': (h) => h.toString('latin1', 0, 4) === 'RIFF' && h.toString('latin1', 8, 12) === 'WEBP',
};
export const AVATAR_TYPES = Object.keys(SIGNATURES);

/** Whether `head` (the first 12 bytes, or the whole body when shorter) is an image of `type`. */
export const isAvatarImage = (type: string, head: Buffer): boolean => SIGNATURES[type]?.(head) ?? false;

export interface Avatar {
  url: string;
  content_type: string;
  size: number;
  updated_at: string;
}

interface AvatarRow {
  user_id: string;
  file_id: string;
  url: string;
  updated_at: Date;
}

/**
 * Pictures people upload for themselves: kept as a StoredFile the person owns (under the avatar's own size and
 * type limits, magic bytes checked as the body streams in) and named in "UserAvatar", which the `picture` claim
 * reads before the primary account's picture. Served by Heimdall at a URL versioned by the contents. Setting and
 * removing one needs the person's own credential with the scope users:write; each is one `user_updated` event.
 */
export function createAvatarService(deps: {
  db: Knex;
  audit: AuditLogger;
  storage: StorageService;
  publicUrl: string;
}) {
  const audit = auditRecorder<'user_updated'>(deps.audit, { resource_type: 'user' });
  const base = deps.publicUrl.replace(/\/+$/, '');
  const table = (trx: Knex = deps.db) => trx<AvatarRow>('UserAvatar');
  const changed = (actor: Actor, userId: string, description: string) =>
    audit.record('user_updated', actor, {
      user_id: userId,
      resource_id: userId,
      metadata: { changed: ['avatar'] },
      description,
    });

  const ownUser = (actor: Actor) => {
    const userId = requireUserId(actor.auth);
    assertScope(actor.auth, 'users', 'write');
    return userId;
  };

  return {
    async set(actor: Actor, upload: Omit<Upload, 'name'>): Promise<Avatar> {
      const userId = ownUser(actor);
      const file = await deps.storage.storeFor(
        userId,
        { ...upload, name: `avatar.${upload.contentType?.split(/[/;]/)[1]?.trim() ?? 'img'}` },
        {
          maxBytes: AVATAR_MAX_BYTES,
          allowedTypes: AVATAR_TYPES,
          signature: { length: 12, check: isAvatarImage },
        },
      );
      const url = `${base}/v1/users/${userId}/avatar?v=${file.sha256.slice(0, 16)}`;
      let previous: string | undefined;
      try {
        previous = await deps.db.transaction(async (trx) => {
          // The person's row, locked: two uploads at once take turns, so neither leaves the other's file behind.
          await trx('User').where({ id: userId }).forUpdate().select('id');
          const before = await table(trx).where({ user_id: userId }).first();
          await table(trx)
            .insert({ user_id: userId, file_id: file.id, url, updated_at: new Date() })
            .onConflict('user_id')
            .merge();
          return before?.file_id;
        });
      } catch (err) {
        await deps.storage.discard(file.id).catch(() => undefined);
        throw err;
      }
      // The old picture goes once the new one is named: a failure here leaves a stray file, never no avatar.
      if (previous) await deps.storage.discard(previous);
      changed(actor, userId, 'Changed their avatar');
      return { url, content_type: file.content_type, size: file.size, updated_at: file.created_at };
    },

    async remove(actor: Actor): Promise<void> {
      const userId = ownUser(actor);
      const [row] = await table().where({ user_id: userId }).delete().returning('*');
      if (!row) throw notFound('users.avatar_not_found', 'You have no uploaded avatar.');
      await deps.storage.discard(row.file_id);
      changed(actor, userId, 'Removed their avatar');
    },

    /**
     * The picture to serve, or 404. A person in privacy mode shows it only to viewers who see their private
     * fields (themselves, `users:read`): to anyone else it does not exist, as the `picture` claim leaves it out.
     */
    async open(
      viewer: Viewer,
      userId: string,
    ): Promise<{ body: Readable; contentType: string; size: number; sha256: string; isPublic: boolean }> {
      const row = await deps
        .db('UserAvatar as ua')
        .join('User as u', 'u.id', 'ua.user_id')
        .where('ua.user_id', userId)
        .whereNull('u.deleted_at')
        .first<{ file_id: string; privacy_mode: boolean } | undefined>('ua.file_id', 'u.privacy_mode');
      const missing = () => notFound('users.avatar_not_found', 'This person has no uploaded avatar.');
      if (!row || !seesPrivateFields(viewer, { id: userId, privacy_mode: row.privacy_mode })) throw missing();
      // Contents that went missing from the store are as good as no avatar; other failures are failures.
      const opened = await deps.storage.open(row.file_id).catch((err: unknown) => {
        if (err instanceof AppError && err.status === 404) return undefined;
        throw err;
      });
      if (!opened) throw missing();
      return {
        body: opened.body,
        contentType: opened.file.content_type,
        size: opened.file.size,
        sha256: opened.file.sha256,
        isPublic: !row.privacy_mode,
      };
    },
  };
}

export type AvatarService = ReturnType<typeof createAvatarService>;
