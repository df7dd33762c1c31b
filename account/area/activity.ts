import type { Router } from 'express';
import { AppError } from '../../core/errors/index.js';
import { appsPage, sessionsPage } from '../views/area-pages.js';
import { sendPage } from '../../oidc/views/respond.js';
import type { AreaContext } from './context.js';

const UUID = /^[0-9a-f-]{36}$/i;
/** Ending a session or an app that is already gone (another tab, another device) is what was asked: not an error. */
const alreadyGone = (err: unknown) => {
  if (!(err instanceof AppError && err.status === 404)) throw err;
};

/** Where the person is signed in (sessions) and which apps hold their consent (connected apps). */
export function activityRoutes(
  router: Router,
  { deps, form, actor, page, frame, guarded }: AreaContext,
): void {
  // Sessions
  router.get(
    '/account/sessions',
    page(async (req, res, who) => {
      const rows = await deps.sessions.list(who.auth, who.auth.user!.id);
      sendPage(
        res,
        200,
        sessionsPage(
          frame(req, res, who),
          rows.map((r) => ({
            id: r.id,
            current: r.id === who.auth.sessionId,
            userAgent: r.user_agent,
            ip: r.ip_address,
            createdAt: r.created_at,
            lastActivityAt: r.last_activity_at,
          })),
        ),
      );
    }),
  );
  router.post(
    '/account/sessions/:id/end',
    form,
    guarded(async (req, res, who) => {
      const id = String(req.params.id);
      if (UUID.test(id) && id !== who.auth.sessionId) {
        await deps.sessions.revoke(actor(req, who.auth), who.auth.user!.id, id).catch(alreadyGone);
      }
      res.redirect(303, '/account/sessions?notice=ended');
    }),
  );
  router.post(
    '/account/sessions/end-others',
    form,
    guarded(async (req, res, who) => {
      await deps.sessions.revokeAll(actor(req, who.auth), who.auth.user!.id, who.auth.sessionId);
      res.redirect(303, '/account/sessions?notice=ended-others');
    }),
  );

  // Connected apps
  router.get(
    '/account/apps',
    page(async (req, res, who) => {
      const apps = await deps.connectedApps.list(who.auth);
      sendPage(
        res,
        200,
        appsPage(
          frame(req, res, who),
          apps.map((a) => ({
            id: a.id,
            name: a.name,
            logoUrl: a.logo_url,
            scopes: a.scopes,
            createdAt: a.created_at,
          })),
        ),
      );
    }),
  );
  router.post(
    '/account/apps/:id/disconnect',
    form,
    guarded(async (req, res, who) => {
      const id = String(req.params.id);
      if (UUID.test(id)) await deps.connectedApps.revoke(actor(req, who.auth), id).catch(alreadyGone);
      res.redirect(303, '/account/apps?notice=disconnected');
    }),
  );
}
