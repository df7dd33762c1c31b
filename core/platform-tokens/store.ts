import type { Knex } from 'knex';
import {
  type PlatformTokenRecord,
  type PlatformTokenSet,
  type SocialPlatformId,
} from '../../schemas/social.js';
import type { AuditLogger } from '../audit/logger.js';
import { auditRecorder, type Origin } from '../audit/recorder.js';
import type { SecretBox } from '../crypto/secret-box.js';
import { AppError, notFound } from '../errors/index.js';
import type { Actor } from '../shared/actor.js';
import { platformForBot } from './platform-access.js';
import { createPlatformTokenQueries, type OwnedTokenRow } from './queries.js';
import { TokenRefused, type PlatformTokenClient } from './upstream.js';

/**
 * Upstream platform tokens (Twitch, YouTube, Kick, Trovo… for bots acting for a streamer): sealed at rest with the
 * secrets key, bound to their account (a sealed token copied to another row does not open), refreshed ahead of
 * expiry, marked invalid when the provider refuses a refresh (the account area tells the person), revoked upstream
 * on unlink. A token leaves this module only through `issue`, to a caller holding the platform's permission, and
 * every issue is audited. Refreshing holds the row's lock for the provider's round trip: two nodes never spend the
 * same rotating refresh token.
 */
export interface PlatformTokenStoreDeps {
  db: Knex;
  box: SecretBox;
  audit: AuditLogger;
  client: PlatformTokenClient;
  /** Refresh when a token expires within this many seconds (the scheduler's job and `issue` alike). */
  refreshAheadSeconds: number;
  onError(err: unknown, context: string): void;
}

/** Refreshing is the platform's own doing, whoever asked for the token. */
const SYSTEM: Origin = { source: 'api' };
/** A token handed out lives at least this long, or it is refreshed first. */
const MIN_ISSUED_LIFETIME_MS = 60_000;
const BATCH = 50;

export function createPlatformTokenStore(deps: PlatformTokenStoreDeps) {
  const queries = createPlatformTokenQueries(deps.db);
  const audit = auditRecorder<
    'platform_token_refreshed' | 'platform_token_invalid' | 'platform_token_issued'
  >(deps.audit, { resource_type: 'platform_account' });
  const context = (accountId: string, kind: 'access' | 'refresh') => `platform-token:${accountId}:${kind}`;
  const sealed = (accountId: string, tokens: PlatformTokenSet) => ({
    access_token_encrypted: deps.box.seal(tokens.accessToken, context(accountId, 'access')),
    refresh_token_encrypted: tokens.refreshToken
      ? deps.box.seal(tokens.refreshToken, context(accountId, 'refresh'))
      : null,
  });
  const open = (row: OwnedTokenRow): PlatformTokenSet => ({
    tokenType: row.token_type,
    scopes: row.scopes,
    expiresAt: row.expires_at ?? undefined,
    accessToken: deps.box.open(row.access_token_encrypted, context(row.platform_account_id, 'access')),
    refreshToken: row.refresh_token_encrypted
      ? deps.box.open(row.refresh_token_encrypted, context(row.platform_account_id, 'refresh'))
      : undefined,
  });
  const about = (row: OwnedTokenRow) => ({
    user_id: row.user_id,
    resource_id: row.platform_account_id,
  });

  /** Saves a fresh token set (sign-in, link, refresh): valid again, whatever it was. */
  async function save(accountId: string, tokens: PlatformTokenSet, trx: Knex = deps.db): Promise<void> {
    await queries.upsert(
      {
        platform_account_id: accountId,
        ...sealed(accountId, tokens),
        token_type: tokens.tokenType,
        scopes: tokens.scopes,
        expires_at: tokens.expiresAt ?? null,
        status: 'valid',
        refreshed_at: null,
      },
      trx,
    );
  }

  /** Refreshes a locked row; the refresh token the provider rotated replaces the old one. */
  async function refreshLocked(
    trx: Knex.Transaction,
    row: OwnedTokenRow,
  ): Promise<PlatformTokenSet | undefined> {
    const platform = row.platform_id as SocialPlatformId;
    const current = open(row);
    try {
      const fresh = await deps.client.refresh(platform, current.refreshToken!);
      const tokens = { ...fresh, refreshToken: fresh.refreshToken ?? current.refreshToken };
      await queries.update(
        row.platform_account_id,
        {
          ...sealed(row.platform_account_id, tokens),
          token_type: tokens.tokenType,
          scopes: tokens.scopes.length > 0 ? tokens.scopes : row.scopes,
          expires_at: tokens.expiresAt ?? null,
          refreshed_at: new Date(),
        },
        trx,
      );
      audit.record('platform_token_refreshed', SYSTEM, {
        ...about(row),
        metadata: { platform, expires_at: tokens.expiresAt?.toISOString() ?? null },
      });
      return tokens;
    } catch (err) {
      if (!(err instanceof TokenRefused)) throw err;
      await queries.update(
        row.platform_account_id,
        { status: 'invalid', invalid_reason: err.reason, invalid_at: new Date() },
        trx,
      );
      audit.record('platform_token_invalid', SYSTEM, {
        ...about(row),
        status: 'failure',
        error_message: err.reason,
        metadata: { platform, reason: err.reason },
      });
      return undefined;
    }
  }

  const expiresSoon = (row: OwnedTokenRow, withinMs: number) =>
    row.expires_at !== null && row.expires_at.getTime() - Date.now() < withinMs;

  return {
    save,

    /**
     * A usable access token of the person's account on `platform`, refreshed first when it would expire within a
     * minute; audited as `platform_token_issued`. Needs the platform's permission (TOKEN_PERMISSION).
     */
    async issue(actor: Actor, platformParam: string, userId: string): Promise<PlatformTokenRecord> {
      const platform = platformForBot(actor.auth, platformParam, { tokens: true });
      const notLinked = () =>
        notFound('integration.not_linked', `This user has not linked a ${platform} account.`);
      const linked = await queries.ofUser(platform, userId);
      if (!linked) throw notLinked();
      if (linked.unavailable) {
        throw new AppError(
          'integration.user_unavailable',
          409,
          'This user is banned or deleted: nobody may act for them.',
        );
      }
      if (!linked.status) {
        throw new AppError(
          'integration.no_token',
          409,
          `No ${platform} token is kept for this user: they must link ${platform} again.`,
        );
      }
      const issued = await deps.db.transaction(async (trx) => {
        const row = await queries.forUpdate(trx, platform, userId);
        // Unlinked while this waited for the row's lock.
        if (!row) throw notLinked();
        if (row.status === 'invalid') return { row, tokens: undefined };
        if (row.refresh_token_encrypted && expiresSoon(row, MIN_ISSUED_LIFETIME_MS)) {
          const tokens = await refreshLocked(trx, row).catch((err: unknown) => {
            deps.onError(err, `could not refresh a ${platform} token`);
            throw new AppError(
              'integration.unavailable',
              503,
              `${platform} cannot be reached to refresh this user's token. Try again shortly.`,
            );
          });
          return { row: (await queries.byAccount(row.platform_account_id, trx))!, tokens };
        }
        // Expired, and nothing to refresh it with: the person must link the platform again.
        if (expiresSoon(row, 0)) return { row, tokens: undefined };
        return { row, tokens: open(row) };
      });
      const { row, tokens } = issued;
      if (!tokens || row.status === 'invalid') {
        throw new AppError(
          'integration.token_invalid',
          409,
          `${platform} no longer accepts this user's token: they must link ${platform} again in their account.`,
        );
      }
      audit.record('platform_token_issued', actor, {
        ...about(row),
        metadata: { platform, scopes: row.scopes },
      });
      return {
        platform,
        user_id: row.user_id,
        platform_user_id: row.platform_user_id,
        access_token: tokens.accessToken,
        token_type: row.token_type,
        scopes: row.scopes,
        expires_at: row.expires_at?.toISOString() ?? null,
      };
    },

    /**
     * The scheduler's job: refreshes every token that expires within `refreshAheadSeconds`, then seals again what
     * an earlier key sealed. Answers what it did.
     */
    async refreshDue(): Promise<{ refreshed: number; invalid: number; failed: number; resealed: number }> {
      const outcome = { refreshed: 0, invalid: 0, failed: 0, resealed: 0 };
      const before = new Date(Date.now() + deps.refreshAheadSeconds * 1000);
      // One transaction per token: a refresh the provider made is committed at once (a rotated refresh token is
      // never lost to a later failure), and a slow provider holds one row's lock, not a batch's.
      for (let after = '00000000-0000-0000-0000-000000000000'; ;) {
        const ids = await queries.dueAfter(before, after, BATCH);
        for (const id of ids) {
          await deps.db.transaction(async (trx) => {
            const row = await queries.lockDue(trx, id, before);
            if (!row) return;
            try {
              if (await refreshLocked(trx, row)) outcome.refreshed++;
              else outcome.invalid++;
            } catch (err) {
              // Down, or answering nonsense: tried again on the next run.
              outcome.failed++;
              deps.onError(err, `could not refresh a ${row.platform_id} token`);
            }
          });
        }
        if (ids.length < BATCH) break;
        after = ids.at(-1)!;
      }
      for (;;) {
        const handled = await deps.db.transaction(async (trx) => {
          const rows = await queries.sealedWithOtherKeys(trx, deps.box.currentPrefix, BATCH);
          for (const row of rows) {
            await queries.update(row.platform_account_id, sealed(row.platform_account_id, open(row)), trx);
          }
          return rows.length;
        });
        outcome.resealed += handled;
        if (handled < BATCH) break;
      }
      return outcome;
    },

    /** Revokes an account's grant upstream (unlink), where the provider allows it; false when it could not. */
    async revokeUpstream(row: OwnedTokenRow): Promise<boolean> {
      const platform = row.platform_id as SocialPlatformId;
      if (!deps.client.canRevoke(platform)) return false;
      try {
        await deps.client.revoke(platform, open(row));
        return true;
      } catch (err) {
        deps.onError(err, `could not revoke a ${platform} grant`);
        return false;
      }
    },

    byAccount: (accountId: string, trx?: Knex, lock?: boolean) => queries.byAccount(accountId, trx, lock),
    statusOf: queries.statusOf,
  };
}

export type PlatformTokenStore = ReturnType<typeof createPlatformTokenStore>;
