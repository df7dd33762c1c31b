import { AppError } from '../errors/index.js';
import { hashApiKey, isApiKeyFormat } from './api-key-token.js';
import type { AuthCache } from './auth-cache.js';
import { createAuthContext, isSuperAdminBy, type AuthContext, type AuthContextData } from './context.js';
import type { AuthQueries, RoleGrant } from './queries.js';

/**
 * Turns an API key into an AuthContext (seed 004, "API Key Authentication": lookup → check active → user
 * context → key context). Unknown, inactive and expired keys get distinct 401 codes; the hash lookup is an
 * indexed equality on a SHA-256 digest, so timing reveals nothing about the secret.
 */
export interface Authenticator {
  authenticateApiKey(key: string): Promise<AuthContext>;
}

const LAST_USED_WRITE_INTERVAL_MS = 60_000;

const unauthorized = (code: string, message: string) => new AppError(code, 401, message);

function union(roles: RoleGrant[]): string[] {
  return [...new Set(roles.flatMap((r) => r.permissions))].sort();
}

export function createAuthenticator(deps: {
  queries: AuthQueries;
  cache: AuthCache;
  onError?: (err: unknown) => void;
}): Authenticator {
  const lastTouched = new Map<string, number>();
  // Cached data is immutable, so its checking wrapper can be reused as long as the data is.
  const contexts = new WeakMap<AuthContextData, AuthContext>();

  /** At most one last_used_at write per key per minute from this node, never on the request's path. */
  const touch = (keyId: string) => {
    const now = Date.now();
    if (now - (lastTouched.get(keyId) ?? 0) < LAST_USED_WRITE_INTERVAL_MS) return;
    lastTouched.set(keyId, now);
    deps.queries.touchApiKey(keyId).catch((err: unknown) => deps.onError?.(err));
  };

  const load = async (hash: string): Promise<AuthContextData> => {
    const key = await deps.queries.findApiKeyByHash(hash);
    if (!key) throw unauthorized('auth.invalid_api_key', 'The API key is not valid.');
    if (!key.is_active) throw unauthorized('auth.api_key_inactive', 'The API key has been deactivated.');
    if (key.expires_at && key.expires_at.getTime() <= Date.now()) {
      throw unauthorized('auth.api_key_expired', 'The API key has expired.');
    }
    const [keyRoles, owner] = await Promise.all([
      deps.queries.apiKeyRoles(key.id),
      key.user_id ? deps.queries.findUser(key.user_id) : Promise.resolve(undefined),
    ]);
    if (key.user_id && (!owner || owner.deleted_at)) {
      throw unauthorized('auth.account_deleted', 'The account that owns this API key has been deleted.');
    }
    if (owner?.ban_id) {
      // Not cached: when a temporary ban runs out, the next request simply loads a working context.
      const until = owner.banned_until?.toISOString() ?? null;
      throw new AppError(
        'auth.account_banned',
        403,
        until ? `This account is banned until ${until}.` : 'This account is banned.',
        { until },
      );
    }
    let ownerCap: AuthContextData['ownerCap'] = null;
    let twoFactorRequired = false;
    let twoFactorVerified = false;
    if (owner) {
      const [ownerRoles, hasTwoFactor] = await Promise.all([
        deps.queries.userRoles(owner.id),
        deps.queries.userHasTwoFactor(owner.id),
      ]);
      const ownerPermissions = union(ownerRoles);
      ownerCap = {
        permissions: ownerPermissions,
        isSuperAdmin: isSuperAdminBy(
          ownerRoles.map((r) => r.id),
          ownerRoles.map((r) => r.name),
          ownerPermissions,
        ),
      };
      twoFactorRequired = ownerRoles.some((r) => r.requires_two_factor);
      twoFactorVerified = hasTwoFactor;
    }
    return {
      user: owner ? { id: owner.id, username: owner.username } : null,
      apiKey: {
        id: key.id,
        name: key.name,
        prefix: key.key_prefix,
        userId: key.user_id,
        isSystem: key.is_system,
        expiresAt: key.expires_at?.toISOString() ?? null,
      },
      sessionId: null,
      roles: keyRoles.map((r) => r.name),
      roleIds: keyRoles.map((r) => r.id),
      permissions: union(keyRoles),
      scopes: key.scopes,
      ownerCap,
      twoFactorRequired,
      twoFactorVerified,
    };
  };

  return {
    async authenticateApiKey(key) {
      if (!isApiKeyFormat(key)) throw unauthorized('auth.invalid_api_key', 'The API key is not valid.');
      const hash = hashApiKey(key);
      let data = deps.cache.get(hash);
      if (data?.apiKey?.expiresAt && Date.parse(data.apiKey.expiresAt) <= Date.now()) {
        throw unauthorized('auth.api_key_expired', 'The API key has expired.');
      }
      if (!data) {
        const generation = deps.cache.generation();
        data = await load(hash);
        deps.cache.set(hash, data, generation);
      }
      touch(data.apiKey!.id);
      let context = contexts.get(data);
      if (!context) {
        context = createAuthContext(data);
        contexts.set(data, context);
      }
      return context;
    },
  };
}
