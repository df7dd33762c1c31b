import { pipeline } from 'node:stream/promises';
import type { StorageService } from '../../../core/storage/service.js';
import { attachment } from '../../../core/storage/disposition.js';
import {
  downloadTokenParams,
  downloadUrlQuery,
  downloadUrlSchema,
  storedFileListSchema,
  storedFileParams,
  storedFileQuery,
  storedFileSchema,
  updateStoredFileBody,
  uploadFileQuery,
} from '../../../schemas/storage.js';
import { defineRoute, type AnyRoute } from '../route.js';
import { actorOf } from './actor.js';

const notFound = { status: 404, code: 'storage.not_found' } as const;
const scope = { status: 403, code: 'auth.insufficient_scope' } as const;
const forbidden = { status: 403, code: 'auth.forbidden' } as const;

/**
 * `/v1/storage`: files. The uploader acts on their own files; anyone else's need storage:read to be seen and
 * storage:download, storage:edit or storage:delete to be acted on (docs/storage.md).
 */
export function storageRoutes(service: StorageService): AnyRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/v1/storage/files',
      summary: 'Upload a file: the request body is its contents, Content-Type its type, `name` its name',
      tag: 'storage',
      access: { permission: 'storage:write' },
      rawBody: {
        description:
          'The file contents, streamed; Content-Type is the media type (storage.allowed_content_types)',
      },
      query: uploadFileQuery,
      response: storedFileSchema,
      status: 201,
      errors: [
        { status: 413, code: 'storage.too_large' },
        { status: 415, code: 'storage.unsupported_type' },
        { status: 400, code: 'storage.aborted' },
      ],
      handler: ({ req, query }) => {
        const length = req.get('content-length');
        return service.upload(actorOf(req), {
          body: req,
          contentType: req.get('content-type'),
          contentLength: length === undefined ? undefined : Number(length),
          name: query.name,
        });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/storage/files',
      summary: 'Files, newest first: your own, or with storage:read everyone’s (or one owner’s)',
      tag: 'storage',
      access: 'authenticated',
      query: storedFileQuery,
      response: storedFileListSchema,
      errors: [scope, forbidden],
      handler: ({ auth, query }) => service.list(auth, query),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/storage/files/:id',
      summary: "A file's metadata (yours, or anyone's with storage:read)",
      tag: 'storage',
      access: 'authenticated',
      params: storedFileParams,
      response: storedFileSchema,
      errors: [scope, notFound],
      handler: ({ auth, params }) => service.get(auth, params.id),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/storage/files/:id/download-url',
      summary:
        'A signed URL that downloads the file without a credential until it expires (storage:download)',
      tag: 'storage',
      access: 'authenticated',
      params: storedFileParams,
      query: downloadUrlQuery,
      response: downloadUrlSchema,
      errors: [scope, forbidden, notFound],
      handler: ({ auth, params, query }) => service.downloadUrl(auth, params.id, query.expires_in),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/storage/download/:token',
      summary: 'Download through a signed URL (the fs driver; the s3 driver’s URLs point at the store)',
      tag: 'storage',
      access: 'public',
      params: downloadTokenParams,
      streamsResponse: { description: 'The file contents, as an attachment' },
      errors: [
        { status: 403, code: 'storage.invalid_url' },
        { status: 410, code: 'storage.url_expired' },
        notFound,
      ],
      handler: async ({ res, params }) => {
        const file = await service.openDownload(params.token);
        // setHeader, not Express's set(): the type goes out as stored, without a charset Express would guess.
        res.statusCode = 200;
        res.setHeaders(
          new Map([
            ['content-type', file.contentType],
            ['content-length', String(file.size)],
            ['content-disposition', attachment(file.fileName)],
            ['cache-control', 'private, no-store'],
            ['content-security-policy', "default-src 'none'; sandbox"],
            ['x-content-type-options', 'nosniff'],
          ]),
        );
        // A client that goes away mid-download ends the stream; nothing is left to answer.
        await pipeline(file.body, res).catch(() => undefined);
        return undefined;
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/v1/storage/files/:id',
      summary: 'Rename a file (yours, or anyone’s with storage:edit)',
      tag: 'storage',
      access: 'authenticated',
      params: storedFileParams,
      body: updateStoredFileBody,
      response: storedFileSchema,
      errors: [scope, forbidden, notFound],
      handler: ({ req, params, body }) => service.update(actorOf(req), params.id, body),
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/storage/files/:id',
      summary: 'Delete a file and its contents (yours, or anyone’s with storage:delete)',
      tag: 'storage',
      access: 'authenticated',
      params: storedFileParams,
      errors: [scope, forbidden, notFound],
      handler: ({ req, params }) => service.remove(actorOf(req), params.id),
    }),
  ];
}
