import type { Knex } from 'knex';
import type { AuditLogger } from '../audit/logger.js';
import { auditRecorder, bySelf } from '../audit/recorder.js';
import type { AuthCache } from '../auth/auth-cache.js';
import type { AuthContext } from '../auth/context.js';
import { assertScope } from '../auth/guards.js';
import { prepared } from '../db/prepared.js';
import { hashSecret, randomSecret } from '../auth/secret-token.js';
import { AppError, notFound } from '../errors/index.js';
import type { Actor } from '../shared/actor.js';

/**
 * Heimdall sessions (the Session table): one row per sign-in with IP, user agent, provider and last
 * activity. The token (`hs_…`) lives only in the app's cookie and the caller's hands; the row keeps its SHA-256.
 * Revoking deletes the row and tells every node at once (auth cache bus), so the session stops working
 * everywhere: account pages, `POST /v1/auth/session`, and the OpenID provider's sign-in state.
 */
export const SESSION_TOKEN_PREFIX = 'hs_';

export interface SessionRow {
  id: string;
  user_id: string;
  expires: Date;
  ip_address: string | null;
  user_agent: string | null;
  last_activity_at: Date | null;
  provider: string | null;
  created_at: Date;
  two_factor_verified_at: Date | null;
}

const COLUMNS = [
  'id',
  'user_id',
  'expires',
  'ip_address',
  'user_agent',
  'last_activity_at',
  'provider',
  'created_at',
];

/**
 * Prepared statements for what every sign-in and signed-in request runs. Creating a session may also store the
 * user's last sign-in ($8, the account signed in with) in the same statement.
 */
const INSERT_SESSION = `INSERT INTO "Session"
    (user_id, session_token, expires, ip_address, user_agent, provider, two_factor_verified_at)
  VALUES ($1, $2, now() + make_interval(secs => $3), $4, $5, $6, CASE WHEN $7::boolean THEN now() END)
  RETURNING id, expires`;
const CREATE = prepared<{ id: string; expires: Date }>(INSERT_SESSION);
const CREATE_SIGNED_IN = prepared<{ id: string; expires: Date }>(
  `WITH signed_in AS (UPDATE "User" SET last_login_at = now(), last_login_platform_account_id = $8 WHERE id = $1)
   ${INSERT_SESSION}`,
);
/** A session counts until it expires (signing out and revoking delete it). */
const LIVE = 'expires > now()';
const FIND = prepared<SessionRow>(
  `SELECT ${COLUMNS.join(', ')} FROM "Session" WHERE session_token = $1 AND ${LIVE} LIMIT 1`,
);

const NOT_FOUND = () => notFound('session.not_found', 'No session with this id.');

export function createSessionService(deps: {
  db: Knex;
  audit: AuditLogger;
  authCache: AuthCache;
  ttlSeconds: number;
}) {
  const { db } = deps;
  const audit = auditRecorder(deps.audit);
  const live = () => db<SessionRow>('Session').whereRaw(LIVE);

  const forget = (sessionIds: string[]) =>
    Promise.all(sessionIds.map((sessionId) => deps.authCache.invalidate({ type: 'session', sessionId })));

  /** Deletes a user's sessions but `keep` and tells every node; answers how many ended. */
  const endAll = async (userId: string, keep: string | null): Promise<number> => {
    const ids = await db('Session')
      .where({ user_id: userId })
      .modify((q) => {
        if (keep) q.whereNot({ id: keep });
      })
      .delete()
      .returning<{ id: string }[]>('id');
    await forget(ids.map((r) => r.id));
    return ids.length;
  };

  /** Your own sessions (within the credential's `users` scope), or anyone's with users:write. */
  const ownerOrAdmin = (auth: AuthContext, userId: string, action: 'read' | 'write') => {
    if (auth.user?.id === userId) return assertScope(auth, 'users', action);
    if (!auth.can('users', 'write')) throw NOT_FOUND();
  };

  return {
    async create(input: {
      userId: string;
      provider: string;
      ip?: string | undefined;
      userAgent?: string | undefined;
      /** The sign-in checked a second factor. */
      twoFactorVerified?: boolean;
      /** The account signed in with: stored as the user's last sign-in, in the same statement. */
      signedInWith?: string | undefined;
    }): Promise<{ id: string; token: string; expires: Date }> {
      const token = randomSecret(SESSION_TOKEN_PREFIX);
      const insert = input.signedInWith ? CREATE_SIGNED_IN : CREATE;
      const {
        rows: [row],
      } = await insert(db, [
        input.userId,
        hashSecret(token),
        deps.ttlSeconds,
        input.ip ?? null,
        input.userAgent?.slice(0, 1024) ?? null,
        input.provider,
        input.twoFactorVerified === true,
        ...(input.signedInWith ? [input.signedInWith] : []),
      ]);
      audit.record('session_created', bySelf(input.userId, input), {
        user_id: input.userId,
        resource_type: 'session',
        resource_id: row!.id,
        metadata: { provider: input.provider },
      });
      return { id: row!.id, token, expires: row!.expires };
    },

    /** The live session a token names, or undefined (unknown, revoked or expired). */
    async find(token: string): Promise<SessionRow | undefined> {
      if (!token.startsWith(SESSION_TOKEN_PREFIX)) return undefined;
      return (await FIND(db, [hashSecret(token)])).rows[0];
    },

    /**
     * Signing out (RP-initiated logout, the account area): ends the session a token names, if any. `reason`
     * says why when it was not the person's choice (`account_unavailable`: banned or deleted).
     */
    async endByToken(
      token: string,
      meta: { ip?: string | undefined; userAgent?: string | undefined; reason?: string } = {},
    ) {
      if (!token.startsWith(SESSION_TOKEN_PREFIX)) return;
      const [row] = await db('Session')
        .where({ session_token: hashSecret(token) })
        .delete()
        .returning<{ id: string; user_id: string }[]>(['id', 'user_id']);
      if (!row) return;
      await forget([row.id]);
      audit.record('session_revoked', bySelf(row.user_id, meta), {
        user_id: row.user_id,
        resource_type: 'session',
        resource_id: row.id,
        metadata: { reason: meta.reason ?? 'sign_out' },
      });
    },

    /**
     * Ends the sessions a person started by signing in with `provider` (a platform they just unlinked): that
     * platform no longer vouches for them. Answers how many ended.
     */
    async endSignedInWith(userId: string, provider: string, reason: string): Promise<number> {
      const ids = await db('Session')
        .where({ user_id: userId, provider })
        .delete()
        .returning<{ id: string }[]>('id');
      await forget(ids.map((r) => r.id));
      if (ids.length > 0) {
        audit.record('session_revoked', bySelf(userId), {
          user_id: userId,
          metadata: { count: ids.length, provider, reason },
        });
      }
      return ids.length;
    },

    /** The platform ends a person's sessions (their password changed): all but `keep`. */
    async endAllForUser(userId: string, keep: string | null, reason: string): Promise<number> {
      const count = await endAll(userId, keep);
      if (count > 0) {
        audit.record('all_sessions_revoked', bySelf(userId), {
          user_id: userId,
          metadata: { count, kept_current: Boolean(keep), reason },
        });
      }
      return count;
    },

    /** `POST /v1/auth/refresh`: the session lasts `ttl` from now. */
    async refresh(token: string): Promise<{ id: string; expires: Date }> {
      const [row] = await live()
        .where({ session_token: hashSecret(token) } as never)
        .update({
          expires: db.raw(`now() + make_interval(secs => ?)`, [deps.ttlSeconds]) as never,
          last_activity_at: db.fn.now() as never,
        })
        .returning<{ id: string; expires: Date }[]>(['id', 'expires']);
      if (!row) throw new AppError('auth.invalid_session', 401, 'The session has ended. Sign in again.');
      await forget([row.id]);
      return row;
    },

    async list(auth: AuthContext, userId: string): Promise<SessionRow[]> {
      ownerOrAdmin(auth, userId, 'read');
      return live().where({ user_id: userId }).orderBy('created_at', 'desc').select(COLUMNS);
    },

    async revoke(actor: Actor, userId: string, sessionId: string): Promise<void> {
      ownerOrAdmin(actor.auth, userId, 'write');
      const deleted = await db('Session').where({ id: sessionId, user_id: userId }).delete();
      if (!deleted) throw NOT_FOUND();
      await forget([sessionId]);
      audit.record('session_revoked', actor, {
        user_id: userId,
        resource_type: 'session',
        resource_id: sessionId,
      });
    },

    /** Every session of the user but `keep` (the caller's own, when they act from one); answers how many. */
    async revokeAll(actor: Actor, userId: string, keep?: string | null): Promise<number> {
      ownerOrAdmin(actor.auth, userId, 'write');
      const count = await endAll(userId, keep ?? null);
      // Ending no session changes nothing: like every other no-op, it leaves no event.
      if (count > 0) {
        audit.record('all_sessions_revoked', actor, {
          user_id: userId,
          metadata: { count, kept_current: Boolean(keep) },
        });
      }
      return count;
    },
  };
}

export type SessionService = ReturnType<typeof createSessionService>;
