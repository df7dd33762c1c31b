import type { Knex } from 'knex';
import type { z } from 'zod';
import type {
  ApiKeyRecord,
  ApiKeyRow,
  createApiKeyBody,
  listApiKeysQuery,
  updateApiKeyBody,
} from '../../schemas/api-keys.js';
import type { AuditLogger } from '../audit/logger.js';
import { auditRecorder } from '../audit/recorder.js';
import type { AuthCache } from '../auth/auth-cache.js';
import { generateApiKey } from '../auth/api-key-token.js';
import type { AuthContext } from '../auth/context.js';
import { assertCanGrantRoles, assertScope } from '../auth/guards.js';
import { AppError, notFound } from '../errors/index.js';
import type { Actor } from '../shared/actor.js';
import { isoDates } from '../shared/serialize.js';
import { createApiKeyQueries } from './queries.js';

/**
 * API keys: users manage their own keys without `api_keys:*`; those permissions open other users'
 * keys and system-wide keys. Keys never exceed their creator (roles and scopes are guarded), `is_system` keys
 * cannot be deleted or rotated through the API, and every change reaches every node's auth cache at once.
 */
type CreateInput = z.output<typeof createApiKeyBody>;
type UpdateInput = z.output<typeof updateApiKeyBody>;
type ListInput = z.output<typeof listApiKeysQuery>;

export interface CreatedApiKey {
  record: ApiKeyRecord;
  key: string;
}

const NOT_FOUND = () => notFound('api_key.not_found', 'No API key with this id.');

export function createApiKeyService(deps: { db: Knex; audit: AuditLogger; authCache: AuthCache }) {
  const queries = createApiKeyQueries(deps.db);
  const toRecord = (row: ApiKeyRow): ApiKeyRecord => isoDates(row);

  const ownedBy = (auth: AuthContext, row: { user_id: string | null }) =>
    auth.user !== null && row.user_id === auth.user.id;

  /** 404 when the caller may not even see the key, 403 when they see it but may not do `action`. */
  async function load(auth: AuthContext, id: string, action?: 'write' | 'delete'): Promise<ApiKeyRow> {
    const row = await queries.findApiKey(id);
    if (!row) throw NOT_FOUND();
    const own = ownedBy(auth, row);
    if (!own && !auth.can('api_keys', 'read')) throw NOT_FOUND();
    if (own) assertScope(auth, 'api_keys', action ?? 'read');
    if (action && !own && !auth.can('api_keys', action)) {
      throw new AppError(
        'auth.forbidden',
        403,
        `You need the permission api_keys:${action} to change this key.`,
      );
    }
    return row;
  }

  function assertScopesWithin(auth: AuthContext, scopes: readonly string[]): void {
    const beyond = scopes.filter((s) => !auth.hasScope(s));
    if (beyond.length > 0) {
      throw new AppError('auth.escalation_denied', 403, 'A key cannot have scopes its creator lacks.', {
        beyond,
      });
    }
  }

  const audit = auditRecorder<'api_key_created' | 'api_key_updated' | 'api_key_revoked'>(deps.audit, {
    resource_type: 'api_key',
  });
  /** What every key event says about the key. */
  const aboutKey = (key: ApiKeyRow | ApiKeyRecord, metadata: Record<string, unknown> = {}) => ({
    user_id: key.user_id ?? undefined,
    resource_id: key.id,
    metadata: { name: key.name, prefix: key.prefix, ...metadata },
  });

  return {
    async list(auth: AuthContext, input: ListInput) {
      const self = auth.user?.id;
      const others = input.all === true || (input.user_id !== undefined && input.user_id !== self) || !self;
      if (others && !auth.can('api_keys', 'read')) {
        throw new AppError(
          'auth.forbidden',
          403,
          "You need the permission api_keys:read to list other users' keys.",
        );
      }
      if (!others) assertScope(auth, 'api_keys', 'read');
      const userId = input.all === true ? undefined : (input.user_id ?? self);
      const page = await queries.listApiKeys(
        { userId, isActive: input.is_active, q: input.q },
        input,
        input.sort,
      );
      return { data: page.data.map(toRecord), pagination: page.pagination };
    },

    async get(auth: AuthContext, id: string): Promise<ApiKeyRecord> {
      return toRecord(await load(auth, id));
    },

    async create(
      actor: Actor,
      input: CreateInput,
      options: { isSystem?: boolean } = {},
    ): Promise<CreatedApiKey> {
      const { auth } = actor;
      const ownerId = input.user_id === undefined ? (auth.user?.id ?? null) : input.user_id;
      if (ownerId !== auth.user?.id && !auth.can('api_keys', 'write')) {
        throw new AppError(
          'auth.forbidden',
          403,
          'You need the permission api_keys:write to create keys for others.',
        );
      }
      assertScope(auth, 'api_keys', 'write');
      if (input.expires_at && input.expires_at.getTime() <= Date.now()) {
        throw new AppError('api_key.invalid_expiry', 422, 'The expiry must be in the future.');
      }
      await assertCanGrantRoles(deps.db, auth, input.role_ids);
      // Unset scopes: the creator's own (`*` for people and the CLI), so a new key is never silently useless.
      const scopes = input.scopes ?? [...auth.scopes];
      assertScopesWithin(auth, scopes);
      if (ownerId) {
        const owner = await deps.db('User').where({ id: ownerId }).whereNull('deleted_at').first('id');
        if (!owner) throw new AppError('user.not_found', 422, 'The owner does not exist.');
      }
      const secret = generateApiKey();
      const id = await deps.db.transaction(async (trx) => {
        const keyId = await queries.insertApiKey(
          {
            key_hash: secret.hash,
            key_prefix: secret.prefix,
            name: input.name,
            description: input.description,
            user_id: ownerId,
            scopes,
            // A key with no owner is a system key (no user caps it, it acts as itself): reported and
            // protected as one, unless the CLI decided explicitly.
            is_system: options.isSystem ?? ownerId === null,
            expires_at: input.expires_at,
          },
          trx,
        );
        await queries.replaceApiKeyRoles(keyId, input.role_ids, trx);
        return keyId;
      });
      const row = (await queries.findApiKey(id))!;
      await audit.record('api_key_created', actor, aboutKey(row, { role_ids: input.role_ids, scopes }));
      return { record: toRecord(row), key: secret.key };
    },

    async update(actor: Actor, id: string, input: UpdateInput): Promise<ApiKeyRecord> {
      const row = await load(actor.auth, id, 'write');
      if (input.role_ids) await assertCanGrantRoles(deps.db, actor.auth, input.role_ids);
      if (input.scopes) assertScopesWithin(actor.auth, input.scopes);
      const { role_ids: roleIds, ...changes } = input;
      await deps.db.transaction(async (trx) => {
        if (Object.keys(changes).length > 0) await queries.updateApiKey(id, changes, trx);
        if (roleIds) await queries.replaceApiKeyRoles(id, roleIds, trx);
      });
      await deps.authCache.invalidate({ type: 'key', keyId: id });
      const updated = (await queries.findApiKey(id))!;
      await audit.record('api_key_updated', actor, aboutKey(row, { changed: Object.keys(input) }));
      return toRecord(updated);
    },

    async remove(actor: Actor, id: string): Promise<void> {
      const row = await load(actor.auth, id, 'delete');
      if (row.is_system)
        throw new AppError('api_key.system_key', 403, 'System keys cannot be deleted through the API.');
      await queries.deleteApiKey(id);
      await deps.authCache.invalidate({ type: 'key', keyId: id });
      await audit.record('api_key_revoked', actor, aboutKey(row));
    },

    async rotate(actor: Actor, id: string): Promise<CreatedApiKey> {
      const row = await load(actor.auth, id, 'write');
      if (row.is_system)
        throw new AppError('api_key.system_key', 403, 'System keys cannot be rotated through the API.');
      const secret = generateApiKey();
      await queries.updateApiKey(id, { key_hash: secret.hash, key_prefix: secret.prefix }, deps.db);
      // The old secret must stop working now, on every node: its cached context goes with the key id.
      await deps.authCache.invalidate({ type: 'key', keyId: id });
      const updated = (await queries.findApiKey(id))!;
      await audit.record(
        'api_key_updated',
        actor,
        aboutKey(updated, { rotated: true, previous_prefix: row.prefix }),
      );
      return { record: toRecord(updated), key: secret.key };
    },
  };
}

export type ApiKeyService = ReturnType<typeof createApiKeyService>;
