import type { DataExportService } from '../../../core/accounts/export.js';
import { AppError } from '../../../core/errors/index.js';
import { uuidParam } from '../../../schemas/common.js';
import { dataExportLogList, dataExportLogQuery, dataExportSchema } from '../../../schemas/data-export.js';
import { defineRoute, type AnyRoute } from '../route.js';
import { actorOf } from './actor.js';

/**
 * Exporting one's own data: ask for an export (built in the background), follow its progress, download the zip
 * while it is kept, and see the history of earlier exports. docs/accounts.md describes what the zip holds.
 */
const userRequired = { status: 403, code: 'auth.user_required' } as const;
const scopeRequired = { status: 403, code: 'auth.insufficient_scope' } as const;
const notFound = { status: 404, code: 'export.not_found' } as const;

export function dataExportRoutes(service: DataExportService): AnyRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/v1/user/export',
      summary: `Export your data: builds a zip in the background (at most 3 in 24 hours); emails you when it is ready`,
      tag: 'account',
      access: 'authenticated',
      response: dataExportSchema,
      status: 202,
      errors: [userRequired, scopeRequired, { status: 429, code: 'export.limit_reached' }],
      handler: async ({ req, res }) => {
        try {
          return await service.request(actorOf(req));
        } catch (err) {
          const retry = err instanceof AppError ? err.details?.retry_after_seconds : undefined;
          if (typeof retry === 'number') res.setHeader('Retry-After', String(retry));
          throw err;
        }
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/user/export',
      summary: 'Your latest data export and its progress',
      tag: 'account',
      access: 'authenticated',
      response: dataExportSchema,
      errors: [userRequired, scopeRequired, notFound],
      handler: ({ auth }) => service.latest(auth),
    }),
    // Before `:id`, which would take "logs" for an id.
    defineRoute({
      method: 'get',
      path: '/v1/user/export/logs',
      summary: 'The history of your finished data exports, newest first',
      tag: 'account',
      access: 'authenticated',
      query: dataExportLogQuery,
      response: dataExportLogList,
      errors: [userRequired, scopeRequired],
      handler: ({ auth, query }) => service.logs(auth, query),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/user/export/:id',
      summary: 'One of your data exports and its progress',
      tag: 'account',
      access: 'authenticated',
      params: uuidParam,
      response: dataExportSchema,
      errors: [userRequired, scopeRequired, notFound],
      handler: ({ auth, params }) => service.get(auth, params.id),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/user/export/:id/download',
      summary: 'Download the zip of a data export: redirects (302) to a signed URL that works for 5 minutes',
      tag: 'account',
      access: 'authenticated',
      params: uuidParam,
      streamsResponse: {
        description: 'A redirect (302) to the zip; the Location header holds its signed URL',
      },
      errors: [
        userRequired,
        scopeRequired,
        notFound,
        { status: 409, code: 'export.not_ready' },
        { status: 410, code: 'export.expired' },
      ],
      handler: async ({ auth, params, res }) => {
        const url = await service.downloadUrl(auth, params.id);
        res.setHeader('cache-control', 'private, no-store');
        res.redirect(302, url);
        return undefined;
      },
    }),
  ];
}
