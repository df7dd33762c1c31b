import type { Knex } from 'knex';
import type { AuditLogger } from '../audit/logger.js';
import { auditRecorder, type Origin } from '../audit/recorder.js';
import type { AuthCache } from '../auth/auth-cache.js';
import {
  assertHoldsPermissions,
  assertScope,
  loadRolePermissions,
  requirePermission,
  requireUserId,
} from '../auth/guards.js';
import { verifyPassword } from '../auth/passwords.js';
import { AppError, notFound } from '../errors/index.js';
import {
  assertSuperAdminRemains,
  countSuperAdmins,
  keepingASuperAdmin,
  lockSuperAdmins,
} from '../rbac/super-admins.js';
import type { SessionService } from '../sessions/service.js';
import type { Actor } from '../shared/actor.js';
import { revokeUserGrants, type GrantsRevoked } from '../tokens/grants.js';
import { anonymizeEvent, pseudonymFor, type AuditEventForPurge } from './anonymize.js';

/**
 * Deleting accounts. A person asks (re-authenticated: their password, or a sign-in of the last minutes when they
 * have none); they are signed out everywhere at once and the account is erased after a grace period, during which
 * they may sign in again and cancel. An administrator may erase an account at once. Erasing ("the purge") deletes
 * every row of the primary database that names the person and rewrites their audit events under a pseudonym
 * (anonymize.ts). The scheduler runs the purge of due requests on any number of nodes: each request is taken
 * with FOR UPDATE SKIP LOCKED in its own transaction, so two nodes never purge the same person and a failure
 * leaves the others done.
 */
export interface DeletionStatus {
  scheduled: boolean;
  requested_at: string | null;
  purge_after: string | null;
}

export interface PurgeResult {
  purged: number;
  failed: number;
}

/** A sign-in this recent stands in for the password of people who have none (they sign in with a platform). */
export const FRESH_SIGN_IN_MS = 10 * 60_000;
/** How many events one statement of the purge rewrites. */
const AUDIT_BATCH = 500;
/** Whose work the scheduled purge is: the platform's, with no actor. */
const SYSTEM: Origin = { source: 'api' };

const wrongPassword = () => new AppError('account.wrong_password', 403, 'The password is not correct.');
const reauthenticate = () =>
  new AppError(
    'account.reauthentication_required',
    403,
    'Confirm it is you: send your current password, or sign in again and retry within 10 minutes.',
  );
const notScheduled = () =>
  notFound('account.deletion_not_scheduled', 'No deletion of your account is scheduled.');
const NOT_FOUND = () => notFound('user.not_found', 'No user with this id.');

interface DeletionRow {
  user_id: string;
  requested_at: Date;
  purge_after: Date;
}

export function createAccountDeletionService(deps: {
  db: Knex;
  auditDb: Knex;
  audit: AuditLogger;
  authCache: AuthCache;
  sessions: SessionService;
  onGrantsRevoked: GrantsRevoked;
  /** The key pseudonyms are made with (anonymize.ts `pseudonymKey`). */
  pseudonymKey: Buffer;
  graceDays: number;
  /** Emails the person that their account will be deleted. */
  onScheduled: (userId: string, purgeAfter: Date) => void;
  /** Deletes stored files' contents (the storage driver's objects) once their rows are gone. */
  deleteStored?: (keys: readonly string[]) => Promise<void>;
  onError: (err: unknown, context: string) => void;
  now?: () => Date;
}) {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());
  const audit = auditRecorder(deps.audit, { resource_type: 'user' });
  const pseudonym = (userId: string) => pseudonymFor(deps.pseudonymKey, userId);

  const statusOf = (row: DeletionRow | undefined): DeletionStatus => ({
    scheduled: row !== undefined,
    requested_at: row?.requested_at.toISOString() ?? null,
    purge_after: row?.purge_after.toISOString() ?? null,
  });
  const findRequest = (userId: string, q: Knex = db) =>
    q<DeletionRow>('AccountDeletion').where({ user_id: userId }).first();

  /** The password for people with one; otherwise a session started within FRESH_SIGN_IN_MS. */
  async function reauthenticated(actor: Actor, userId: string, password: string | undefined): Promise<void> {
    const hashes = await db('PlatformAccount')
      .where({ user_id: userId, platform_id: 'email' })
      .whereNotNull('password_hash')
      .pluck<string[]>('password_hash');
    if (hashes.length > 0) {
      if (password === undefined) throw reauthenticate();
      // Any of their email accounts' passwords proves it is them.
      for (const hash of hashes) if (await verifyPassword(hash, password)) return;
      throw wrongPassword();
    }
    const sessionId = actor.auth.sessionId;
    const session = sessionId
      ? await db('Session').where({ id: sessionId }).first<{ created_at: Date } | undefined>('created_at')
      : undefined;
    if (!session || now().getTime() - session.created_at.getTime() > FRESH_SIGN_IN_MS) throw reauthenticate();
  }

  /** Signs the person out everywhere: sessions end, app grants go, their API keys stop working. */
  async function signOutEverywhere(userId: string) {
    const sessions = await deps.sessions.endAllForUser(userId, null, 'deletion_requested');
    const grants = await revokeUserGrants(db, deps.onGrantsRevoked, userId);
    const keys = await db('ApiKey')
      .where({ user_id: userId, is_active: true })
      .update({ is_active: false })
      .returning<{ id: string }[]>('id');
    await Promise.all(keys.map((k) => deps.authCache.invalidate({ type: 'key', keyId: k.id })));
    await deps.authCache.invalidate({ type: 'user', userId });
    return { sessions_ended: sessions, grants_revoked: grants, api_keys_deactivated: keys.length };
  }

  /** Rewrites every audit event naming the person, batch by batch, until none does (so a rerun finds none). */
  async function anonymizeAuditEvents(userId: string): Promise<number> {
    const alias = pseudonym(userId);
    // Events still queued in this process would otherwise reach the database after the rewrite.
    await deps.audit.flush();
    let rewritten = 0;
    for (;;) {
      const { rows } = await deps.auditDb.raw<{ rows: AuditEventForPurge[] }>(
        `SELECT id, created_at::text AS created_at, user_id, actor_id, resource_id, host(ip_address) AS ip_address,
                user_agent, description, error_message, metadata, city, region
           FROM "AuditEvent"
          WHERE user_id = :id OR actor_id = :id OR resource_id = :id
          LIMIT ${AUDIT_BATCH}`,
        { id: userId },
      );
      if (rows.length === 0) return rewritten;
      const rewrittenRows = rows.map((row) => anonymizeEvent(row, userId, alias));
      await deps.auditDb.raw(
        `UPDATE "AuditEvent" e
            SET user_id = v.user_id, actor_id = v.actor_id, resource_id = v.resource_id,
                ip_address = v.ip_address::inet, user_agent = v.user_agent, description = v.description,
                error_message = v.error_message, metadata = v.metadata, city = v.city, region = v.region
           FROM jsonb_to_recordset(:rows::jsonb) AS v(
                  id uuid, created_at timestamptz, user_id text, actor_id text, resource_id text, ip_address text,
                  user_agent text, description text, error_message text, metadata jsonb, city text, region text)
          WHERE e.id = v.id AND e.created_at = v.created_at`,
        { rows: JSON.stringify(rewrittenRows) },
      );
      rewritten += rows.length;
    }
  }

  /**
   * Erases the person within `trx` (which holds their row): their OpenID provider records, the actor columns that
   * name them in others' rows, then the user, whose foreign keys take everything else (accounts, platform tokens,
   * sessions, keys, roles, consents, 2FA, bans, exports, emailed links, the deletion request) or let go of it
   * (OAuth clients they registered and warnings they gave stay, without them). Then their audit events are
   * rewritten; a failure there rolls the primary database back, and the next run tries again.
   */
  async function erase(trx: Knex.Transaction, userId: string) {
    const alias = pseudonym(userId);
    const grants = await trx('OidcPayload')
      .where({ model: 'Grant' })
      .whereRaw(`payload->>'accountId' = ?`, [userId])
      .pluck<string[]>('id');
    await trx('OidcPayload')
      .whereIn('grant_id', grants)
      .orWhere((q) => q.where({ model: 'Grant' }).whereIn('id', grants))
      // Sessions, interactions and anything else of the provider's that mentions them.
      .orWhereRaw(`strpos(payload::text, ?) > 0`, [userId])
      .delete();
    await trx('UserBan').where({ banned_by: userId }).update({ banned_by: alias });
    await trx('UserBan').where({ lifted_by: userId }).update({ lifted_by: alias });
    await trx('AccountDeletion').where({ requested_by: userId }).update({ requested_by: alias });
    const sessions = await trx('Session').where({ user_id: userId }).pluck<string[]>('id');
    const keys = await trx('ApiKey').where({ user_id: userId }).pluck<string[]>('id');
    // Their files (an avatar, uploads) are personal data too: erased with them, not left ownerless.
    const files = await trx('StoredFile')
      .where({ owner_user_id: userId })
      .delete()
      .returning<{ key: string }[]>('key');
    const deleted = await trx('User').where({ id: userId }).delete();
    const events = await anonymizeAuditEvents(userId);
    return {
      deleted: deleted > 0,
      sessions,
      keys,
      grants: grants.length,
      events,
      files: files.map((f) => f.key),
    };
  }

  /** After the commit: every node forgets the person's credentials, open connections close. */
  async function forget(userId: string, erased: Awaited<ReturnType<typeof erase>>) {
    // The rows are gone with the commit; contents a failure leaves behind name nobody and no row points at them.
    await deps
      .deleteStored?.(erased.files)
      .catch((err: unknown) => deps.onError(err, 'deleting the files of an erased account'));
    await deps.authCache.invalidate({ type: 'user', userId });
    await Promise.all([
      ...erased.sessions.map((sessionId) => deps.authCache.invalidate({ type: 'session', sessionId })),
      ...erased.keys.map((keyId) => deps.authCache.invalidate({ type: 'key', keyId })),
    ]);
    deps.onGrantsRevoked(userId);
  }

  /** Purges one due request, if another node has not taken it; answers whom it purged. */
  async function purgeNextDue(at: Date, skip: readonly string[]): Promise<string | undefined> {
    let taken: string | undefined;
    try {
      const result = await keepingASuperAdmin(db, async (trx) => {
        const row = await trx<DeletionRow>('AccountDeletion')
          .where('purge_after', '<=', at)
          .whereNotIn('user_id', skip)
          .orderBy('purge_after')
          .forUpdate()
          .skipLocked()
          .first();
        if (!row) return undefined;
        taken = row.user_id;
        return { row, erased: await erase(trx, row.user_id) };
      });
      if (!result) return undefined;
      const { row, erased } = result;
      await forget(row.user_id, erased);
      const alias = pseudonym(row.user_id);
      audit.record('user_deleted', SYSTEM, {
        user_id: alias,
        resource_id: alias,
        metadata: {
          via: 'scheduled_purge',
          requested_at: row.requested_at.toISOString(),
          audit_events_anonymized: erased.events,
        },
      });
      return row.user_id;
    } catch (err) {
      if (!taken) throw err;
      deps.onError(err, 'could not purge a deleted account; the next run tries again');
      throw new PurgeFailed(taken);
    }
  }

  return {
    pseudonym,

    async status(auth: Actor['auth']): Promise<DeletionStatus> {
      const userId = requireUserId(auth);
      assertScope(auth, 'users', 'read');
      return statusOf(await findRequest(userId));
    },

    /** `POST /v1/user/delete`: schedules the purge after the grace period and signs the person out everywhere. */
    async request(actor: Actor, input: { password?: string | undefined }): Promise<DeletionStatus> {
      const userId = requireUserId(actor.auth);
      assertScope(actor.auth, 'users', 'write');
      if (await findRequest(userId)) {
        throw new AppError(
          'account.deletion_scheduled',
          409,
          'The deletion of your account is already scheduled; cancel it first to ask again.',
        );
      }
      await reauthenticated(actor, userId, input.password);
      const requestedAt = now();
      const purgeAfter = new Date(requestedAt.getTime() + deps.graceDays * 86_400_000);
      const row = await db.transaction(async (trx) => {
        // The last super admin cannot leave: checked as the purge will find it, then put back.
        await lockSuperAdmins(trx);
        const before = await countSuperAdmins(trx);
        await trx('User').where({ id: userId }).update({ deleted_at: requestedAt });
        await assertSuperAdminRemains(trx, before > 0);
        await trx('User').where({ id: userId }).update({ deleted_at: null });
        const [inserted] = await trx('AccountDeletion')
          .insert({
            user_id: userId,
            requested_at: requestedAt,
            purge_after: purgeAfter,
            requested_by: userId,
            via: 'self',
          })
          .onConflict('user_id')
          .ignore()
          .returning<DeletionRow[]>(['user_id', 'requested_at', 'purge_after']);
        return inserted;
      });
      if (!row) return statusOf(await findRequest(userId));
      const signedOut = await signOutEverywhere(userId);
      audit.record('deletion_scheduled', actor, {
        user_id: userId,
        resource_id: userId,
        metadata: { via: 'self', purge_after: purgeAfter.toISOString(), ...signedOut },
      });
      deps.onScheduled(userId, purgeAfter);
      return statusOf(row);
    },

    /** `DELETE /v1/user/delete`, `POST /v1/user/delete/cancel`: the account stays; keys stay turned off. */
    async cancel(actor: Actor): Promise<DeletionStatus> {
      const userId = requireUserId(actor.auth);
      assertScope(actor.auth, 'users', 'write');
      const [row] = await db('AccountDeletion')
        .where({ user_id: userId })
        .delete()
        .returning<DeletionRow[]>(['user_id', 'requested_at', 'purge_after']);
      if (!row) throw notScheduled();
      audit.record('deletion_cancelled', actor, {
        user_id: userId,
        resource_id: userId,
        metadata: {
          requested_at: row.requested_at.toISOString(),
          purge_after: row.purge_after.toISOString(),
        },
      });
      return statusOf(undefined);
    },

    /**
     * `POST /v1/users/:id/purge` (users:delete): erases an account at once, with the administrator's reason.
     * Someone who may not read users is told the user does not exist, as everywhere under /v1/users.
     */
    async purgeNow(actor: Actor, userId: string, reason: string): Promise<void> {
      if (!actor.auth.can('users', 'read')) throw NOT_FOUND();
      requirePermission(actor.auth, 'users', 'delete');
      if (actor.auth.user?.id === userId) {
        throw new AppError(
          'user.cannot_purge_self',
          409,
          'You cannot erase your own account here; use POST /v1/user/delete.',
        );
      }
      const roleIds = await db('UserRole').where({ user_id: userId }).pluck<string[]>('role_id');
      const exists = await db('User').where({ id: userId }).first('id');
      if (!exists) throw NOT_FOUND();
      const roles = await loadRolePermissions(db, roleIds);
      assertHoldsPermissions(
        actor.auth,
        roles.flatMap((r) => r.permissions),
        'the erasure of this user',
      );
      const erased = await keepingASuperAdmin(db, async (trx) => {
        const locked = await trx('User').where({ id: userId }).forUpdate().first('id');
        if (!locked) throw NOT_FOUND();
        return erase(trx, userId);
      });
      await forget(userId, erased);
      const alias = pseudonym(userId);
      audit.record('user_deleted', actor, {
        user_id: alias,
        resource_id: alias,
        metadata: { via: 'admin_purge', reason, audit_events_anonymized: erased.events },
      });
    },

    /**
     * The scheduler's task: purges every request whose grace period ended by `at`, one transaction each. A
     * request that fails is logged and left for the next run; the others go on.
     */
    async purgeDue(at: Date = now()): Promise<PurgeResult> {
      const failed: string[] = [];
      let purged = 0;
      for (;;) {
        try {
          const done = await purgeNextDue(at, failed);
          if (!done) return { purged, failed: failed.length };
          purged += 1;
        } catch (err) {
          if (!(err instanceof PurgeFailed)) throw err;
          failed.push(err.userId);
        }
      }
    },
  };
}

/** One request's purge failed (logged); the run skips it and goes on with the others. */
class PurgeFailed extends Error {
  constructor(readonly userId: string) {
    super(`purge of ${userId} failed`);
  }
}

export type AccountDeletionService = ReturnType<typeof createAccountDeletionService>;
