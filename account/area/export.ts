import type { Request, Response, Router } from 'express';
import { EXPORTS_PER_DAY, KEEP_MS } from '../../core/accounts/export.js';
import { AppError } from '../../core/errors/index.js';
import { messages } from '../../core/i18n/locales.js';
import { sendPage } from '../../oidc/views/respond.js';
import { exportPage, when, type ExportView } from '../views/area-pages.js';
import type { AreaContext, Signed } from './context.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The history shows the latest exports; at most EXPORTS_PER_DAY a day, this is weeks of them. */
const HISTORY = 20;

/**
 * /account/export: the person asks for a copy of their data, through the same service as `POST /v1/user/export`,
 * watches it being built and downloads it. The REST download takes API credentials; here the session is the
 * credential, and the area checks the export is the person's before it hands out the storage's signed URL.
 */
export function exportRoutes(router: Router, { deps, form, actor, page, frame, guarded }: AreaContext): void {
  const exports = deps.exports;
  const render = async (req: Request, res: Response, who: Signed, status = 200, alert?: string) => {
    const now = new Date();
    const [latest, logs] = await Promise.all([
      exports.latest(who.auth).catch((err: unknown) => {
        if (err instanceof AppError && err.code === 'export.not_found') return null;
        throw err;
      }),
      exports.logs(who.auth, { page: 1, per_page: HISTORY }),
    ]);
    const view: ExportView | null = latest && {
      id: latest.id,
      // Past its time but not yet swept by the scheduler: the download would be refused, so it reads expired.
      status:
        latest.status === 'done' && latest.expires_at && new Date(latest.expires_at) <= now
          ? 'expired'
          : latest.status,
      progress: latest.progress,
      requestedAt: new Date(latest.requested_at),
      expiresAt: latest.expires_at ? new Date(latest.expires_at) : null,
      sizeBytes: latest.size_bytes,
    };
    sendPage(
      res,
      status,
      exportPage(
        frame(req, res, who, alert),
        {
          latest: view,
          history: logs.data.map((l) => {
            const exportedAt = new Date(l.exported_at);
            return {
              exportedAt,
              sizeBytes: l.file_size_bytes,
              availableUntil: new Date(exportedAt.getTime() + KEEP_MS),
            };
          }),
          perDay: EXPORTS_PER_DAY,
          keepHours: KEEP_MS / 3_600_000,
        },
        now,
      ),
    );
  };

  router.get(
    '/account/export',
    page((req, res, who) => render(req, res, who)),
  );

  router.post(
    '/account/export',
    form,
    guarded(async (req, res, who) => {
      try {
        await exports.request(actor(req, who.auth));
      } catch (err) {
        if (!(err instanceof AppError && err.code === 'export.limit_reached')) throw err;
        const seconds = Number(err.details?.retry_after_seconds ?? 0);
        const again = when(who.locale, new Date(Date.now() + seconds * 1000));
        const m = messages(who.locale).area.export;
        return render(req, res, who, 429, m.limit(EXPORTS_PER_DAY, again));
      }
      // Back to the page (a reload never asks twice), which shows the export's progress.
      res.redirect(303, '/account/export');
    }),
  );

  router.get(
    '/account/export/:id/download',
    page(async (req, res, who) => {
      const id = String(req.params.id);
      const m = messages(who.locale).area.export;
      let url: string;
      try {
        // Not a UUID: no export of anyone's, and the database is not asked.
        if (!UUID.test(id)) throw new AppError('export.not_found', 404, 'No export of yours with this id.');
        url = await exports.downloadUrl(who.auth, id);
      } catch (err) {
        const code = err instanceof AppError ? err.code : undefined;
        if (code === 'export.not_found') return render(req, res, who, 404, m.notFound);
        if (code === 'export.expired') return render(req, res, who, 410, m.expired);
        // Not built yet (or failed): the page says how it stands.
        if (code === 'export.not_ready') return res.redirect(303, '/account/export');
        throw err;
      }
      res.redirect(303, url);
    }),
  );
}
