import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Knex } from 'knex';
import type { StoredFile, StoredFileQuery, UpdateStoredFile } from '../../schemas/storage.js';
import type { AuditLogger } from '../audit/logger.js';
import { auditRecorder } from '../audit/recorder.js';
import type { AuthContext } from '../auth/context.js';
import { assertScope, requirePermission } from '../auth/guards.js';
import { AppError, notFound } from '../errors/index.js';
import type { Actor } from '../shared/actor.js';
import type { StorageDriver } from './driver.js';
import { createMeter, tooLarge, type Signature } from './meter.js';
import type { UrlSigner } from './url-signer.js';

interface FileRow {
  id: string;
  owner_user_id: string | null;
  key: string;
  name: string;
  content_type: string;
  size: string | number;
  sha256: string;
  created_at: Date;
  updated_at: Date;
}

const toFile = (row: FileRow): StoredFile => ({
  id: row.id,
  owner_id: row.owner_user_id,
  name: row.name,
  content_type: row.content_type,
  size: Number(row.size),
  sha256: row.sha256,
  created_at: row.created_at.toISOString(),
  updated_at: row.updated_at.toISOString(),
});

export interface StorageSettings {
  maxFileBytes: number;
  /** `type/subtype` or `type/*`, lower case. */
  allowedContentTypes: readonly string[];
  signedUrlTtlSeconds: number;
}

export interface Upload {
  body: Readable;
  /** The request's Content-Type header. */
  contentType: string | undefined;
  /** The request's Content-Length, when it declared one. */
  contentLength: number | undefined;
  name: string;
}

export interface UploadLimits {
  maxBytes: number;
  allowedTypes: readonly string[];
  /** The first bytes the contents must start with, checked as they stream in (see createMeter). */
  signature?: Omit<Signature, 'type'>;
}

const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/;

/** `Text/Plain; charset=utf-8` → `text/plain`; undefined when it is no media type. */
export function mediaTypeOf(header: string | undefined): string | undefined {
  const essence = header?.split(';')[0]?.trim().toLowerCase();
  return essence && MEDIA_TYPE.test(essence) ? essence : undefined;
}

export function isAllowedType(type: string, allowed: readonly string[]): boolean {
  return allowed.includes(type) || allowed.includes(`${type.split('/')[0]}/*`);
}

/**
 * Files people and apps keep in Heimdall: contents in the configured driver, metadata in "StoredFile". The
 * uploader may always see, download, rename and delete their own files (within their key's scopes); anyone
 * else's need storage:read to be seen and storage:download, storage:edit or storage:delete to be acted on.
 * Uploading needs storage:write. Every change is audited.
 */
export function createStorageService(deps: {
  db: Knex;
  audit: AuditLogger;
  driver: StorageDriver;
  signer: UrlSigner;
  settings: StorageSettings;
  now?: () => number;
}) {
  const { driver, settings } = deps;
  const now = deps.now ?? Date.now;
  const audit = auditRecorder<'file_uploaded' | 'file_updated' | 'file_deleted'>(deps.audit, {
    resource_type: 'file',
  });
  const table = () => deps.db<FileRow>('StoredFile');
  const own = (auth: AuthContext, row: FileRow) => auth.user !== null && row.owner_user_id === auth.user.id;

  /** The file if the caller may see it, else 404 (whether it exists is not told). */
  async function visible(auth: AuthContext, id: string): Promise<FileRow> {
    const row = await table().where({ id }).first();
    if (!row || !(own(auth, row) || auth.can('storage', 'read'))) {
      throw notFound('storage.not_found', 'No such file.');
    }
    return row;
  }

  /** Owners act on their own files within their scopes; others need the permission itself. */
  async function actOn(auth: AuthContext, id: string, action: 'download' | 'edit' | 'delete') {
    const row = await visible(auth, id);
    if (own(auth, row)) assertScope(auth, 'storage', action);
    else requirePermission(auth, 'storage', action);
    return row;
  }

  const fileEvent = (file: StoredFile, extra: Record<string, unknown> = {}) => ({
    user_id: file.owner_id ?? undefined,
    resource_id: file.id,
    metadata: {
      name: file.name,
      content_type: file.content_type,
      size: file.size,
      sha256: file.sha256,
      ...extra,
    },
  });

  async function store(ownerId: string | null, input: Upload, limits: UploadLimits): Promise<StoredFile> {
    const contentType = mediaTypeOf(input.contentType);
    if (!contentType || !isAllowedType(contentType, limits.allowedTypes)) {
      throw new AppError(
        'storage.unsupported_type',
        415,
        `Files of type ${contentType ?? '(none)'} are not accepted.`,
        { allowed: limits.allowedTypes },
      );
    }
    if (input.contentLength !== undefined && input.contentLength > limits.maxBytes) {
      throw tooLarge(limits.maxBytes);
    }
    const id = randomUUID();
    const key = `files/${id}`;
    const meter = createMeter(
      limits.maxBytes,
      limits.signature && { type: contentType, ...limits.signature },
    );
    const { body } = input;
    const abort = () => meter.stream.destroy(new AppError('storage.aborted', 400, 'The upload was cut off.'));
    body.once('error', abort);
    body.once('aborted', abort);
    // A short body can fail its signature check before the driver starts reading: the error stays on the stream
    // (the driver's pipeline reports it) instead of going unhandled.
    meter.stream.on('error', () => undefined);
    body.pipe(meter.stream);
    try {
      await driver.put(key, meter.stream, { contentType });
    } catch (err) {
      // The rest of a refused body is read and dropped, so the client hears the answer instead of a reset.
      body.unpipe(meter.stream);
      body.resume();
      await driver.delete(key).catch(() => undefined);
      throw err;
    } finally {
      body.off('error', abort);
      body.off('aborted', abort);
    }
    let row: FileRow | undefined;
    try {
      [row] = (await table()
        .insert({
          id,
          owner_user_id: ownerId,
          key,
          name: input.name,
          content_type: contentType,
          size: meter.size,
          sha256: meter.digest(),
        })
        .returning('*')) as FileRow[];
    } catch (err) {
      await driver.delete(key).catch(() => undefined);
      throw err;
    }
    return toFile(row!);
  }

  return {
    settings,

    async upload(actor: Actor, input: Upload): Promise<StoredFile> {
      requirePermission(actor.auth, 'storage', 'write');
      const file = await store(actor.auth.user?.id ?? null, input, {
        maxBytes: settings.maxFileBytes,
        allowedTypes: settings.allowedContentTypes,
      });
      audit.record('file_uploaded', actor, { ...fileEvent(file), description: `Uploaded ${file.name}` });
      return file;
    },

    /**
     * A file another service keeps for a person (their avatar) under limits of its own. Not audited and not
     * checked against storage permissions: the calling service decides who may, and records the change.
     */
    storeFor: (ownerId: string, input: Upload, limits: UploadLimits) => store(ownerId, input, limits),

    /** A file's contents and metadata, for a service that decided the caller may read it. */
    async open(id: string): Promise<{ file: StoredFile; body: Readable } | undefined> {
      const row = await table().where({ id }).first();
      if (!row) return undefined;
      return { file: toFile(row), body: await driver.get(row.key) };
    },

    /** Deletes a file kept by another service (see `storeFor`): not audited here. */
    async discard(id: string): Promise<void> {
      const [row] = (await table().where({ id }).delete().returning('*')) as FileRow[];
      if (row) await driver.delete(row.key);
    },

    /** Newest first: the caller's own files, or (with storage:read) everyone's or one owner's. */
    async list(
      auth: AuthContext,
      query: StoredFileQuery,
    ): Promise<{ data: StoredFile[]; pagination: { page: number; per_page: number; total: number } }> {
      const mayReadAll = auth.can('storage', 'read');
      if (!mayReadAll) {
        assertScope(auth, 'storage', 'read');
        if (query.owner_id && query.owner_id !== auth.user?.id) requirePermission(auth, 'storage', 'read');
      }
      const ownerId = mayReadAll ? query.owner_id : auth.user?.id;
      // A caller without a user (a system key) and without storage:read owns nothing.
      if (!mayReadAll && !ownerId) {
        return { data: [], pagination: { page: query.page, per_page: query.per_page, total: 0 } };
      }
      const scoped = (q: Knex.QueryBuilder) => (ownerId ? q.where({ owner_user_id: ownerId }) : q);
      const [rows, [count]] = await Promise.all([
        scoped(table())
          .orderBy('created_at', 'desc')
          .orderBy('id', 'desc')
          .offset((query.page - 1) * query.per_page)
          .limit(query.per_page),
        scoped(table()).count<{ count: string }[]>({ count: '*' }),
      ]);
      return {
        data: (rows as FileRow[]).map(toFile),
        pagination: { page: query.page, per_page: query.per_page, total: Number(count?.count ?? 0) },
      };
    },

    async get(auth: AuthContext, id: string): Promise<StoredFile> {
      const row = await visible(auth, id);
      if (own(auth, row)) assertScope(auth, 'storage', 'read');
      return toFile(row);
    },

    /** A URL that downloads the file without a credential until it expires. */
    async downloadUrl(
      auth: AuthContext,
      id: string,
      expiresIn?: number,
    ): Promise<{ url: string; expires_at: string }> {
      const row = await actOn(auth, id, 'download');
      const seconds = Math.min(expiresIn ?? settings.signedUrlTtlSeconds, settings.signedUrlTtlSeconds);
      const url = await driver.signedUrl(row.key, {
        expiresInSeconds: seconds,
        contentType: row.content_type,
        fileName: row.name,
      });
      return { url, expires_at: new Date(now() + seconds * 1000).toISOString() };
    },

    /** What a signed download token of the fs driver serves. */
    async openDownload(token: string): Promise<{
      body: Readable;
      size: number;
      contentType: string;
      fileName: string;
    }> {
      const grant = deps.signer.verify(token);
      const info = await driver.stat(grant.key);
      if (!info) throw notFound('storage.not_found', 'No such file.');
      return {
        body: await driver.get(grant.key),
        size: info.size,
        contentType: grant.contentType,
        fileName: grant.fileName,
      };
    },

    async update(actor: Actor, id: string, input: UpdateStoredFile): Promise<StoredFile> {
      const before = await actOn(actor.auth, id, 'edit');
      const [row] = (await table().where({ id }).update({ name: input.name }).returning('*')) as FileRow[];
      if (!row) throw notFound('storage.not_found', 'No such file.');
      const file = toFile(row);
      audit.record('file_updated', actor, {
        ...fileEvent(file, { previous_name: before.name }),
        description: `Renamed ${before.name} to ${file.name}`,
      });
      return file;
    },

    async remove(actor: Actor, id: string): Promise<void> {
      await actOn(actor.auth, id, 'delete');
      const [row] = (await table().where({ id }).delete().returning('*')) as FileRow[];
      if (!row) throw notFound('storage.not_found', 'No such file.');
      // The row goes first: a file whose contents could not be removed is unreachable, never listed as there.
      await driver.delete(row.key);
      const file = toFile(row);
      audit.record('file_deleted', actor, { ...fileEvent(file), description: `Deleted ${file.name}` });
    },
  };
}

export type StorageService = ReturnType<typeof createStorageService>;
