import type AdminJS from 'adminjs';
import type { RequestHandler } from 'express';

/**
 * AdminJS's action routes: resource actions (`actions/<name>`), record actions (`records/<id>/<name>`), bulk
 * actions (`bulk/<name>`) and the search (`search/<query>`), with or without a trailing slash.
 */
const ACTION_PATH =
  /^\/api\/resources\/([^/]+)\/(?:actions\/([^/]+)|records\/[^/]+\/([^/]+)|bulk\/([^/]+)|(search)(?:\/[^/]*)?)\/?$/;

/**
 * An action the person may not use answers 403, whatever the URL says. AdminJS itself refuses such an action
 * with a notice in a 200 answer; this checks the same `isAccessible` rule first, so a forged request is refused
 * as what it is, before AdminJS or any service sees it.
 */
export function forgedActionGuard(admin: AdminJS): RequestHandler {
  return (req, res, next) => {
    const match = ACTION_PATH.exec(req.path);
    // Signed out: AdminJS's own guard sends the request to the sign-in page.
    if (!match || !req.session?.adminUser) return next();
    const resourceId = match[1];
    const actionName = match[2] ?? match[3] ?? match[4] ?? match[5];
    const currentAdmin = req.session?.adminUser;
    let resource;
    try {
      resource = admin.findResource(decodeURIComponent(resourceId!));
    } catch {
      return res
        .status(404)
        .json({ error: { code: 'admin.not_found', message: 'No such page in the panel.' } });
    }
    const action = resource.decorate().actions[decodeURIComponent(actionName!)];
    if (!action) {
      return res
        .status(404)
        .json({ error: { code: 'admin.not_found', message: 'No such action in the panel.' } });
    }
    if (!action.isAccessible(currentAdmin as never)) {
      return res.status(403).json({
        error: { code: 'auth.forbidden', message: 'You do not have permission for this action.' },
      });
    }
    return next();
  };
}
