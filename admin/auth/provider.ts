import type { Request } from 'express';
import { BaseAuthProvider, type LoginHandlerOptions } from 'adminjs';
import type { Authenticator } from '../../core/auth/authenticator.js';
import type { AuthContext } from '../../core/auth/context.js';
import { hashSecret } from '../../core/auth/secret-token.js';
import type { AuditLogger } from '../../core/audit/logger.js';
import type { SecretBox } from '../../core/crypto/secret-box.js';
import type { Logger } from '../../core/logger/logger.js';
import { cookieFrom } from '../../core/shared/cookies.js';
import { plainIp } from '../../core/shared/actor.js';
import type { PanelClient } from './heimdall-id-client.js';
import { endedBecause, refusal, type PanelUser, type SignInError } from './panel-session.js';

/** A started sign-in is good for this long (the person may take a while to type a password and a code). */
const PENDING_TTL_MS = 15 * 60_000;

const fail = (key: SignInError): never => {
  throw new Error(key);
};

export interface ProviderDeps {
  client: PanelClient;
  authenticator: Authenticator;
  audit: Pick<AuditLogger, 'record'>;
  box: SecretBox;
  /** The Heimdall ID session cookie (`sessions.cookie_names.id`). */
  sessionCookie: string;
  clientId: string;
  logger: Logger;
}

export const refreshContext = (userId: string) => `admin-refresh:${userId}`;

/**
 * AdminJS's auth-provider seam, filled with Heimdall ID: the panel's login route receives Heimdall ID's answer
 * (posted back, `form_post`) and this provider redeems it. The person must be signed in to Heimdall ID in this
 * browser (the panel binds itself to that Heimdall session, so revoking it or banning the person ends the panel
 * too), hold `backend:access`, and have passed a second factor in that session when a role of theirs requires it.
 */
export class HeimdallIdAuthProvider extends BaseAuthProvider {
  constructor(private readonly deps: ProviderDeps) {
    super();
  }

  override getUiProps() {
    return { signInPath: '/admin/login/start' };
  }

  override async handleLogin(opts: LoginHandlerOptions, context: { req: Request }): Promise<PanelUser> {
    const { req } = context;
    const answer = Object.fromEntries(
      Object.entries(opts.data ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string'),
    );
    const pending = req.session.pending;
    delete req.session.pending;
    if (answer.error) fail(answer.error === 'access_denied' ? 'signInCancelled' : 'signInFailed');
    if (!pending || pending.state !== answer.state || Date.now() - pending.startedAt > PENDING_TTL_MS) {
      fail('signInExpired');
    }
    const done = await this.deps.client.finish(pending!, answer).catch((err: unknown) => {
      this.deps.logger.warn({ err }, 'admin sign-in: Heimdall ID answer refused');
      return fail('signInFailed');
    });
    const token = cookieFrom(req.headers.cookie, this.deps.sessionCookie);
    if (!token) fail('heimdallSessionMissing');
    const auth = await this.deps.authenticator.authenticateSession(token!).catch((err: unknown) =>
      // Whatever went wrong, the page says only why in words it knows (AdminJS would show an error's text).
      fail(endedBecause(err) ?? 'sessionEnded'),
    );
    if (auth.user?.id !== done.subject) fail('heimdallSessionMissing');
    const refused = refusal(auth);
    if (refused) {
      this.record(req, auth, 'login_failed', { reason: refused });
      fail(refused);
    }
    // A new session id for the signed-in session: an id planted before sign-in is worth nothing after it.
    await new Promise<void>((resolve, reject) =>
      req.session.regenerate((err) => (err ? reject(err) : resolve())),
    );
    req.session.signIn = {
      sessionHash: hashSecret(token!),
      idToken: done.idToken,
      refreshToken: done.refreshToken
        ? this.deps.box.seal(done.refreshToken, refreshContext(done.subject))
        : null,
      signedInAt: Date.now(),
    };
    this.record(req, auth, 'login', { method: 'heimdall_id' });
    return {
      id: done.subject,
      email: typeof done.claims.email === 'string' ? done.claims.email : '',
      title: auth.user!.username,
    };
  }

  private record(req: Request, auth: AuthContext, type: 'login' | 'login_failed', metadata: object) {
    this.deps.audit.record({
      event_type: type,
      user_id: auth.user?.id,
      actor_id: auth.user?.id,
      status: type === 'login' ? 'success' : 'failure',
      ...(type === 'login_failed' ? { error_message: (metadata as { reason: string }).reason } : {}),
      metadata: { client_id: this.deps.clientId, ...metadata },
      ip_address: plainIp(req.ip),
      user_agent: req.get('user-agent'),
      source_service: 'admin',
    });
  }
}
