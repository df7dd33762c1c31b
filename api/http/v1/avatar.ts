import { pipeline } from 'node:stream/promises';
import type { AvatarService } from '../../../core/users/avatar.js';
import { viewerOf } from '../../../core/users/visibility.js';
import { uuidParam } from '../../../schemas/common.js';
import { avatarSchema } from '../../../schemas/users.js';
import { defineRoute, type AnyRoute } from '../route.js';
import { actorOf } from './actor.js';

const userRequired = { status: 403, code: 'auth.user_required' } as const;
const scopeRequired = { status: 403, code: 'auth.insufficient_scope' } as const;
const noAvatar = { status: 404, code: 'users.avatar_not_found' } as const;

/** Avatars people upload for themselves, and where Heimdall serves them (docs/storage.md#avatars). */
export function avatarRoutes(service: AvatarService): AnyRoute[] {
  return [
    defineRoute({
      method: 'put',
      path: '/v1/user/avatar',
      summary: 'Set your avatar: the request body is the image (PNG, JPEG or WebP, at most 2 MB)',
      tag: 'account',
      access: 'authenticated',
      rawBody: {
        description:
          'The image, streamed; Content-Type image/png, image/jpeg or image/webp, matching its bytes',
      },
      response: avatarSchema,
      errors: [
        userRequired,
        scopeRequired,
        { status: 413, code: 'storage.too_large' },
        { status: 415, code: 'storage.unsupported_type' },
        { status: 400, code: 'storage.aborted' },
      ],
      handler: ({ req }) => {
        const length = req.get('content-length');
        return service.set(actorOf(req), {
          body: req,
          contentType: req.get('content-type'),
          contentLength: length === undefined ? undefined : Number(length),
        });
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/user/avatar',
      summary: 'Remove your avatar (and its stored file); the primary account’s picture shows again',
      tag: 'account',
      access: 'authenticated',
      errors: [userRequired, scopeRequired, noAvatar],
      handler: ({ req }) => service.remove(actorOf(req)),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/users/:id/avatar',
      summary: 'A person’s uploaded avatar: public, unless privacy mode hides it from the caller',
      tag: 'users',
      access: 'public',
      params: uuidParam,
      streamsResponse: { description: 'The image' },
      errors: [noAvatar],
      handler: async ({ req, res, auth, params }) => {
        const image = await service.open(viewerOf(auth), params.id);
        const etag = `"${image.sha256}"`;
        // The URL changes with the contents, so caching never shows an old picture; an hour bounds how long shared
        // caches keep serving it after the person turns privacy mode on. Behind privacy mode: the viewer's cache only.
        res.setHeaders(
          new Map([
            ['etag', etag],
            ['cache-control', image.isPublic ? 'public, max-age=3600' : 'private, max-age=300'],
            ['x-content-type-options', 'nosniff'],
            ['content-security-policy', "default-src 'none'; sandbox"],
            ...(image.isPublic ? [] : [['vary', 'Authorization'] as [string, string]]),
          ]),
        );
        if (req.get('if-none-match') === etag) {
          image.body.destroy();
          res.status(304).end();
          return undefined;
        }
        res.statusCode = 200;
        res.setHeader('content-type', image.contentType);
        res.setHeader('content-length', String(image.size));
        // A client that goes away mid-download ends the stream; nothing is left to answer.
        await pipeline(image.body, res).catch(() => undefined);
        return undefined;
      },
    }),
  ];
}
