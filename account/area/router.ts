import { Router } from 'express';
import { activityRoutes } from './activity.js';
import { areaContext, type AreaDeps } from './context.js';
import { deletionRoutes } from './deletion.js';
import { exportRoutes } from './export.js';
import { profileRoutes } from './profile.js';
import { securityRoutes } from './security.js';
import { signInRoutes } from './sign-in-routes.js';
import { linkedAccountRoutes } from './linked-accounts.js';
import { socialSignInRoutes } from './social-sign-in.js';

export type { AreaDeps };

/**
 * The signed-in account area under /account: the `id.session-token` cookie is the credential, resolved
 * into the same AuthContext as every other entry point; changes go through the same services as REST. Forms
 * post back and redirect (so a reload never repeats a change), each CSRF-protected. Language: the person's
 * preferred_locale, then the browser's. One module per part of the area (./area/), sharing one context.
 */
export function accountAreaRouter(deps: AreaDeps): Router {
  const router = Router();
  const context = areaContext(deps);
  signInRoutes(router, context);
  profileRoutes(router, context);
  activityRoutes(router, context);
  securityRoutes(router, context);
  linkedAccountRoutes(router, context);
  exportRoutes(router, context);
  deletionRoutes(router, context);
  if (deps.social) socialSignInRoutes(router, context, deps.social);
  return router;
}
