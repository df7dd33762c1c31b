import type { Knex } from 'knex';
import { ROLE_IDS } from '../../schemas/roles.js';
import type {
  LinkedAccountRecord,
  PlatformProfile,
  PlatformTokenSet,
  SocialPlatformId,
} from '../../schemas/social.js';
import type { AuditLogger } from '../audit/logger.js';
import { auditRecorder, bySelf } from '../audit/recorder.js';
import type { AuthCache } from '../auth/auth-cache.js';
import type { AuthContext } from '../auth/context.js';
import { assertScope, requirePermission, requireUserId } from '../auth/guards.js';
import { isUniqueViolation } from '../db/unique-violation.js';
import { AppError, notFound } from '../errors/index.js';
import type { PlatformTokenStore } from '../platform-tokens/store.js';
import type { Actor } from '../shared/actor.js';
import { createLinkedAccountQueries, type LinkedAccountRow, type SignInRow } from './queries.js';
import { usernameFor } from './usernames.js';

/**
 * A person's sign-in methods (the PlatformAccount rows: the email account and the platforms they linked), and the
 * rules around them:
 * - an upstream identity signs in to the user it is linked to, never to a user whose email it shares: matching
 *   addresses alone link nothing (account takeover through a provider that lets anyone claim an address);
 * - a new identity whose address belongs to an existing user does not sign up either: that person signs in to the
 *   account they have and links the platform from there;
 * - an identity linked to one user cannot be linked to another, and a person has one account per platform;
 * - the last way to sign in cannot be unlinked; the primary account supplies the profile and email claims.
 */
export interface UpstreamIdentity {
  platform: SocialPlatformId;
  profile: PlatformProfile;
  tokens?: PlatformTokenSet | undefined;
}

export interface RequestMeta {
  ip?: string | undefined;
  userAgent?: string | undefined;
  locale?: string | undefined;
}

const NOT_FOUND = () => notFound('linked_account.not_found', 'No linked account with this id.');
const linkedElsewhere = () =>
  new AppError(
    'linked_account.linked_elsewhere',
    409,
    'This account is linked to another Heimdall user. Sign in as that user to unlink it first.',
  );

export function createLinkedAccountService(deps: {
  db: Knex;
  audit: AuditLogger;
  authCache: AuthCache;
  tokens: PlatformTokenStore;
  registrationEnabled: boolean;
  /** The platforms with an upstream provider configured (social sign-in). */
  configuredPlatforms: ReadonlySet<string>;
  /**
   * Told after a platform was linked to or unlinked from someone's account (not a reconnect): the person is
   * emailed, and an unlink ends the sessions that platform started.
   */
  onChange?: (change: {
    userId: string;
    platform: string;
    platformName: string;
    kind: 'linked' | 'unlinked';
  }) => void;
}) {
  const { db } = deps;
  const queries = createLinkedAccountQueries(db);
  const audit = auditRecorder<
    'account_linked' | 'account_unlinked' | 'account_reconnected' | 'primary_account_changed' | 'user_created'
  >(deps.audit, { resource_type: 'platform_account' });

  const toRecord = (row: LinkedAccountRow): LinkedAccountRecord => ({
    id: row.id,
    platform_id: row.platform_id,
    platform_name: row.platform_name,
    platform_user_id: row.platform_user_id,
    username: row.username,
    display_name: row.display_name,
    avatar_url: row.avatar_url,
    email: row.email,
    email_verified: row.email_verified_at !== null,
    is_primary: row.is_primary,
    token_status: row.token_status ?? 'none',
    token_scopes: row.token_scopes ?? [],
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  });

  /** The profile columns an upstream profile sets; a verified address keeps the time it was first seen verified. */
  const profileColumns = (
    profile: PlatformProfile,
    before?: { email: string | null; email_verified_at: Date | null },
  ) => ({
    username: profile.username.slice(0, 200),
    display_name: profile.displayName?.slice(0, 200) ?? null,
    avatar_url: profile.avatarUrl?.slice(0, 2000) ?? null,
    email: profile.email?.slice(0, 320) ?? null,
    email_verified_at:
      profile.email && profile.emailVerified
        ? before?.email_verified_at && before.email?.toLowerCase() === profile.email.toLowerCase()
          ? before.email_verified_at
          : new Date()
        : null,
    ...(profile.youtubeChannelId !== undefined && { youtube_channel_id: profile.youtubeChannelId }),
  });

  /**
   * A channel several Google accounts manage (a brand account) is the one that last proved it: the row before
   * gives it up, so the channel names one person in a bot's permission check.
   */
  const claimChannel = async (profile: PlatformProfile, trx: Knex.Transaction, accountId?: string) => {
    if (!profile.youtubeChannelId) return;
    const others = trx('PlatformAccount').where({ youtube_channel_id: profile.youtubeChannelId });
    await (accountId ? others.whereNot({ id: accountId }) : others).update({ youtube_channel_id: null });
  };

  const insertAccount = async (userId: string, identity: UpstreamIdentity, trx: Knex.Transaction) => {
    await claimChannel(identity.profile, trx);
    const [row] = await trx('PlatformAccount')
      .insert({
        platform_id: identity.platform,
        platform_user_id: identity.profile.id,
        user_id: userId,
        ...profileColumns(identity.profile),
      })
      .returning<{ id: string }[]>('id');
    if (identity.tokens) await deps.tokens.save(row!.id, identity.tokens, trx);
    return row!.id;
  };

  /** Self-service on one's own accounts: the person's credential, within its scopes. */
  const owner = (auth: AuthContext, action: 'read' | 'write') => {
    const userId = requireUserId(auth);
    assertScope(auth, 'users', action);
    return userId;
  };

  const platformOf = (row: LinkedAccountRow) => ({
    platform: row.platform_id,
    platform_user_id: row.platform_user_id,
  });

  /**
   * Whether an account is a way to sign in today: a password for email; otherwise a platform that is enabled and
   * configured (an enabled platform nobody configured signs nobody in).
   */
  const signsIn = (row: LinkedAccountRow) =>
    row.platform_id === 'email'
      ? row.has_password
      : row.platform_enabled && deps.configuredPlatforms.has(row.platform_id);

  return {
    /** The user an upstream identity signs in as, or undefined when it is linked to nobody. */
    findForSignIn: (platform: SocialPlatformId, platformUserId: string): Promise<SignInRow | undefined> =>
      queries.signInAccount(platform, platformUserId),

    /** A sign-in with a linked identity: its profile and tokens as the provider sent them this time. */
    async recordSignIn(accountId: string, identity: UpstreamIdentity): Promise<void> {
      await db.transaction(async (trx) => {
        const before = await trx('PlatformAccount')
          .where({ id: accountId })
          .first<{ email: string | null; email_verified_at: Date | null }>('email', 'email_verified_at');
        await claimChannel(identity.profile, trx, accountId);
        await trx('PlatformAccount')
          .where({ id: accountId })
          .update(profileColumns(identity.profile, before));
        if (identity.tokens) await deps.tokens.save(accountId, identity.tokens, trx);
      });
    },

    /**
     * A new user from an upstream identity linked to nobody: the identity becomes their primary account. Refused
     * when registration is closed, and when the address the provider gave belongs to an existing user
     * (`linked_account.email_in_use`: they sign in there and link).
     */
    async signUp(
      identity: UpstreamIdentity,
      meta: RequestMeta,
    ): Promise<{ userId: string; accountId: string }> {
      if (!deps.registrationEnabled) {
        throw new AppError('account.registration_closed', 403, 'New accounts cannot be created here.');
      }
      const { email } = identity.profile;
      const emailInUse = () =>
        new AppError(
          'linked_account.email_in_use',
          409,
          'An account with this email address exists already: sign in to it, then link this platform from your account.',
        );
      if (email && (await queries.emailInUse(email))) throw emailInUse();
      for (let attempt = 0; ; attempt++) {
        const username = usernameFor(
          identity.profile.username || identity.profile.displayName || '',
          attempt,
        );
        if (attempt < 5 && (await queries.usernameTaken(username))) continue;
        try {
          const created = await db.transaction(async (trx) => {
            if (email) {
              // Two sign-ups with one address at once: the second waits here, then finds the first one's account.
              await trx.raw('SELECT pg_advisory_xact_lock(hashtext(?))', [
                `heimdall email ${email.toLowerCase()}`,
              ]);
              if (await queries.emailInUse(email, trx)) throw emailInUse();
            }
            const [user] = await trx('User')
              .insert({ username, preferred_locale: meta.locale ?? 'en' })
              .returning<{ id: string }[]>('id');
            const accountId = await insertAccount(user!.id, identity, trx);
            await trx('User').where({ id: user!.id }).update({ primary_platform_account_id: accountId });
            await trx('UserRole').insert({ user_id: user!.id, role_id: ROLE_IDS.user });
            return { userId: user!.id, accountId };
          });
          audit.record('user_created', bySelf(created.userId, meta), {
            user_id: created.userId,
            resource_type: 'user',
            resource_id: created.userId,
            // The sign-in pages say that continuing with a platform accepts the terms.
            metadata: { via: 'social', platform: identity.platform, terms_accepted: true },
          });
          return created;
        } catch (err) {
          if (!isUniqueViolation(err)) throw err;
          const constraint = (err as { constraint?: string }).constraint ?? '';
          // The same identity signed up a moment ago in another tab: sign in to that user.
          if (constraint.startsWith('PlatformAccount')) {
            const existing = await queries.signInAccount(identity.platform, identity.profile.id);
            if (existing) return { userId: existing.user_id, accountId: existing.account_id };
          }
          if (attempt >= 8) throw err;
        }
      }
    },

    /**
     * Links an upstream identity to the signed-in person; linking the same identity again refreshes its profile and
     * tokens (`account_reconnected`, e.g. to grant a bot more scopes).
     */
    async link(
      actor: Actor,
      identity: UpstreamIdentity,
    ): Promise<{ account: LinkedAccountRecord; reconnected: boolean }> {
      const userId = owner(actor.auth, 'write');
      const { platform, profile } = identity;
      const outcome = await db
        .transaction(async (trx) => {
          const mine = await queries.lockUser(userId, trx);
          const existing = await queries.signInAccount(platform, profile.id, trx);
          if (existing && existing.user_id !== userId) throw linkedElsewhere();
          if (existing) {
            const before = mine.find((a) => a.id === existing.account_id)!;
            await claimChannel(profile, trx, before.id);
            await trx('PlatformAccount').where({ id: before.id }).update(profileColumns(profile, before));
            if (identity.tokens) await deps.tokens.save(before.id, identity.tokens, trx);
            return { id: before.id, reconnected: true };
          }
          if (mine.some((a) => a.platform_id === platform)) {
            throw new AppError(
              'linked_account.platform_taken',
              409,
              `You have linked another ${platform} account already: unlink it first.`,
            );
          }
          return { id: await insertAccount(userId, identity, trx), reconnected: false };
        })
        .catch((err: unknown) => {
          // Linked by someone else between the check and the insert.
          if (isUniqueViolation(err)) throw linkedElsewhere();
          throw err;
        });
      audit.record(outcome.reconnected ? 'account_reconnected' : 'account_linked', actor, {
        user_id: userId,
        resource_id: outcome.id,
        metadata: {
          platform,
          platform_user_id: profile.id,
          username: profile.username,
          scopes: identity.tokens?.scopes ?? [],
        },
      });
      const account = (await queries.ofUser(userId)).find((a) => a.id === outcome.id)!;
      if (!outcome.reconnected) {
        await deps.onChange?.({ userId, platform, platformName: account.platform_name, kind: 'linked' });
      }
      return { account: toRecord(account), reconnected: outcome.reconnected };
    },

    /** The signed-in person's own sign-in methods. */
    mine: async (auth: AuthContext): Promise<LinkedAccountRecord[]> =>
      (await queries.ofUser(owner(auth, 'read'))).map(toRecord),

    /** A user's sign-in methods for administrators (`users:read`): never a password hash or a token. */
    async ofUser(auth: AuthContext, userId: string): Promise<LinkedAccountRecord[]> {
      if (auth.user?.id !== userId) requirePermission(auth, 'users', 'read');
      else assertScope(auth, 'users', 'read');
      if (!(await db('User').where({ id: userId }).first('id'))) {
        throw notFound('user.not_found', 'No user with this id.');
      }
      return (await queries.ofUser(userId)).map(toRecord);
    },

    /**
     * Unlinks one of the person's accounts: never the last way to sign in (`linked_account.last_sign_in_method`);
     * the primary passes to the oldest remaining account; the platform grant is revoked upstream where possible.
     */
    async unlink(actor: Actor, id: string): Promise<void> {
      const userId = owner(actor.auth, 'write');
      const { removed, token, primary } = await db.transaction(async (trx) => {
        const accounts = await queries.lockUser(userId, trx);
        const removed = accounts.find((a) => a.id === id);
        if (!removed) throw NOT_FOUND();
        const rest = accounts.filter((a) => a.id !== id);
        if (!rest.some(signsIn)) {
          throw new AppError(
            'linked_account.last_sign_in_method',
            409,
            'This is your last way to sign in: link another platform or set a password before removing it.',
          );
        }
        // Locked: a refresh under way finishes first, so the grant revoked is the current one.
        const token = await deps.tokens.byAccount(id, trx, true);
        await trx('PlatformAccount').where({ id }).delete();
        const next = removed.is_primary ? (rest.find(signsIn) ?? rest[0]!) : undefined;
        if (next) await trx('User').where({ id: userId }).update({ primary_platform_account_id: next.id });
        return { removed, token, primary: next };
      });
      const revoked = token ? await deps.tokens.revokeUpstream(token) : false;
      await deps.onChange?.({
        userId,
        platform: removed.platform_id,
        platformName: removed.platform_name,
        kind: 'unlinked',
      });
      await deps.authCache.invalidate({ type: 'user', userId });
      audit.record('account_unlinked', actor, {
        user_id: userId,
        resource_id: id,
        metadata: {
          ...platformOf(removed),
          was_primary: removed.is_primary,
          upstream_revoked: revoked,
          ...(primary ? { new_primary: primary.id } : {}),
        },
      });
    },

    /** Makes one of the person's accounts the primary: it supplies their profile and email claims. */
    async setPrimary(actor: Actor, id: string): Promise<LinkedAccountRecord> {
      const userId = owner(actor.auth, 'write');
      const { before, after } = await db.transaction(async (trx) => {
        const accounts = await queries.lockUser(userId, trx);
        const after = accounts.find((a) => a.id === id);
        if (!after) throw NOT_FOUND();
        const before = accounts.find((a) => a.is_primary);
        if (before?.id !== id) {
          await trx('User').where({ id: userId }).update({ primary_platform_account_id: id });
        }
        return { before, after };
      });
      if (before?.id !== id) {
        await deps.authCache.invalidate({ type: 'user', userId });
        audit.record('primary_account_changed', actor, {
          user_id: userId,
          resource_id: id,
          metadata: {
            ...platformOf(after),
            previous: before?.id ?? null,
            previous_platform: before?.platform_id ?? null,
          },
        });
      }
      return { ...toRecord(after), is_primary: true };
    },
  };
}

export type LinkedAccountService = ReturnType<typeof createLinkedAccountService>;
