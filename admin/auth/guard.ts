import type { Request, RequestHandler, Response } from 'express';
import type { Authenticator } from '../../core/auth/authenticator.js';
import { bindActor, endedBecause, refusal, type SignInError } from './panel-session.js';

/**
 * Every panel request of a signed-in person checks again what sign-in checked: the Heimdall session is alive,
 * the person is not banned, holds `backend:access` and passed 2FA where required, and the panel session is
 * within its lifetime. The answer comes from the authenticator's credential cache, which every node empties
 * when a session is revoked or a person banned, so either ends panel access within moments.
 */
export function panelGuard(deps: { authenticator: Authenticator; ttlMs: number }): RequestHandler {
  return async (req, res, next) => {
    const user = req.session?.adminUser;
    const signIn = req.session?.signIn;
    if (!user) return next();
    if (!signIn || Date.now() - signIn.signedInAt > deps.ttlMs) return end(req, res, 'sessionEnded');
    try {
      const auth = await deps.authenticator.authenticateSessionHash(signIn.sessionHash);
      if (auth.user?.id !== user.id) return end(req, res, 'sessionEnded');
      const refused = refusal(auth);
      if (refused) return end(req, res, refused);
      bindActor(user, auth, req);
      return next();
    } catch (err) {
      const reason = endedBecause(err);
      return reason ? end(req, res, reason) : next(err);
    }
  };
}

/** Ends the panel session: pages go to the sign-in page with the reason, API calls get a 401 to show. */
function end(req: Request, res: Response, reason: SignInError): void {
  req.session.destroy(() => {
    if (req.path.startsWith('/api/') || req.method !== 'GET') {
      res.status(401).json({
        error: { code: `admin.${reason}`, message: 'Your panel session has ended. Sign in again.' },
      });
    } else {
      res.redirect(303, `/admin/login?reason=${reason}`);
    }
  });
}
