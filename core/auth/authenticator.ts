import { AppError } from '../errors/index.js';
import { hashApiKey, isApiKeyFormat } from './api-key-token.js';
import { hashSecret } from './secret-token.js';
import type { AuthCache } from './auth-cache.js';
import { createAuthContext, type AuthContext, type AuthContextData } from './context.js';
import type { AuthQueries } from './queries.js';
import {
  createSubjectLoader,
  refused,
  userCredentialData,
  type Refusal,
  type UserGrants,
} from './subjects.js';
import { apiScopes, type AccessTokenVerifier, type VerifiedAccessToken } from '../tokens/access-tokens.js';

/**
 * Turns an API key into an AuthContext (lookup → check active → user
 * context → key context). Unknown, inactive and expired keys get distinct 401 codes; the hash lookup is an
 * indexed equality on a SHA-256 digest, so timing reveals nothing about the secret.
 */
export interface Authenticator {
  authenticateApiKey(key: string): Promise<AuthContext>;
  /** A Heimdall ID access token for the API (JWT); refused when OIDC is off. */
  authenticateAccessToken(token: string): Promise<AuthContext>;
  /** A Heimdall session token (`hs_…`, from an app's session cookie). */
  authenticateSession(token: string): Promise<AuthContext>;
  /**
   * A Heimdall session by the hash of its token (`hashSecret`), for an app that keeps the hash rather than
   * the token (the admin panel binds its own session to the Heimdall session it was signed in with).
   */
  authenticateSessionHash(hash: string): Promise<AuthContext>;
}

const LAST_USED_WRITE_INTERVAL_MS = 60_000;

const unauthorized = (code: string, message: string) => new AppError(code, 401, message);

export function createAuthenticator(deps: {
  queries: AuthQueries;
  cache: AuthCache;
  /** Verifies Heimdall ID access tokens; absent when the OIDC provider is off. */
  accessTokens?: AccessTokenVerifier;
  onError?: (err: unknown) => void;
}): Authenticator {
  const subjects = createSubjectLoader(deps.queries);
  const lastTouched = new Map<string, number>();
  const sessionsTouched = new Map<string, number>();
  // Cached data is immutable, so its checking wrapper can be reused as long as the data is.
  const contexts = new WeakMap<AuthContextData, AuthContext>();

  /** At most one last_used_at write per key per minute from this node, never on the request's path. */
  const touch = (keyId: string) => {
    const now = Date.now();
    if (now - (lastTouched.get(keyId) ?? 0) < LAST_USED_WRITE_INTERVAL_MS) return;
    lastTouched.set(keyId, now);
    deps.queries.touchApiKey(keyId).catch((err: unknown) => deps.onError?.(err));
  };

  /** A credential refused before any check: a deleted or banned account (401 / 403), an inactive or expired key. */
  const refusal = (why: Refusal): AppError => {
    switch (why.reason) {
      case 'user_not_found':
      case 'account_deleted':
        return unauthorized(
          'auth.account_deleted',
          why.reason === 'account_deleted' && why.ownerOfKey
            ? 'The account that owns this API key has been deleted.'
            : 'This account has been deleted.',
        );
      case 'account_banned':
        // Not cached: when a temporary ban runs out, the next request simply loads a working context.
        return new AppError(
          'auth.account_banned',
          403,
          why.until ? `This account is banned until ${why.until}.` : 'This account is banned.',
          { until: why.until },
        );
      case 'api_key_inactive':
        return unauthorized('auth.api_key_inactive', 'The API key has been deactivated.');
      case 'api_key_expired':
        return unauthorized('auth.api_key_expired', 'The API key has expired.');
    }
  };

  const loadUser = async (userId: string): Promise<UserGrants> => {
    const loaded = await subjects.user(userId);
    if (refused(loaded)) throw refusal(loaded);
    return loaded;
  };

  const load = async (hash: string): Promise<AuthContextData> => {
    const key = await deps.queries.findApiKeyByHash(hash);
    if (!key) throw unauthorized('auth.invalid_api_key', 'The API key is not valid.');
    const loaded = await subjects.apiKey(key);
    if (refused(loaded)) throw refusal(loaded);
    return loaded.data;
  };

  /**
   * What an access token acts with: for a user's token, that user's roles; for a client-credentials token, the
   * client's owner's (a client acts for the developer who registered it; an ownerless client holds nothing).
   * Cached per subject; the token's own scopes are applied per request.
   */
  const loadTokenSubject = async (token: VerifiedAccessToken): Promise<AuthContextData> => {
    // Every token dies with its app: a deactivated or deleted client's tokens are refused at once.
    const client = await deps.queries.findOAuthClient(token.clientId);
    if (!client?.is_active) throw unauthorized('auth.invalid_token', 'The OAuth client is no longer active.');
    const machine = token.grantId === null && token.sub === token.clientId;
    const userId = machine ? client.user_id : token.sub;
    const subject = userId ? await loadUser(userId) : undefined;
    return userCredentialData(subject, subject?.twoFactorEnabled ?? false);
  };

  /** A session acts with its user's roles and no scope limit; it ends when its row is gone. */
  const loadSession = async (hash: string): Promise<AuthContextData> => {
    const session = await deps.queries.findSessionByHash(hash);
    if (!session) throw unauthorized('auth.invalid_session', 'The session has ended. Sign in again.');
    const user = await loadUser(session.user_id);
    return {
      // A session counts as verified once its second factor was checked (at sign-in or right after setup).
      ...userCredentialData(user, session.two_factor_verified_at !== null),
      sessionId: session.id,
      sessionExpiresAt: session.expires.toISOString(),
    };
  };

  const bySessionHash = async (hash: string): Promise<AuthContext> => {
    let data = deps.cache.get(hash);
    if (data?.sessionExpiresAt && Date.parse(data.sessionExpiresAt) <= Date.now()) data = undefined;
    if (!data) {
      const generation = deps.cache.generation();
      data = await loadSession(hash);
      deps.cache.set(hash, data, generation);
    }
    const sessionId = data.sessionId!;
    const now = Date.now();
    if (now - (sessionsTouched.get(sessionId) ?? 0) >= LAST_USED_WRITE_INTERVAL_MS) {
      sessionsTouched.set(sessionId, now);
      if (sessionsTouched.size > 100_000) sessionsTouched.clear();
      deps.queries.touchSession(sessionId).catch((err: unknown) => deps.onError?.(err));
    }
    let context = contexts.get(data);
    if (!context) {
      context = createAuthContext(data);
      contexts.set(data, context);
    }
    return context;
  };

  return {
    async authenticateSession(token) {
      if (!/^hs_[\w-]{43}$/.test(token)) {
        throw unauthorized('auth.invalid_session', 'The session has ended. Sign in again.');
      }
      return bySessionHash(hashSecret(token));
    },

    async authenticateSessionHash(hash) {
      if (!/^[0-9a-f]{64}$/.test(hash)) {
        throw unauthorized('auth.invalid_session', 'The session has ended. Sign in again.');
      }
      return bySessionHash(hash);
    },

    async authenticateAccessToken(raw) {
      if (!deps.accessTokens) {
        throw unauthorized('auth.unsupported_credential', 'Heimdall ID access tokens are not enabled here.');
      }
      const token = await deps.accessTokens.verify(raw);
      // Keyed by client too (its state is part of the answer); `oauth_client` invalidations match the suffix.
      const cacheKey =
        token.grantId === null ? `oidc-client:${token.clientId}` : `oidc-user:${token.sub}:${token.clientId}`;
      let data = deps.cache.get(cacheKey);
      if (!data) {
        const generation = deps.cache.generation();
        data = await loadTokenSubject(token);
        deps.cache.set(cacheKey, data, generation);
      }
      return createAuthContext({
        ...data,
        scopes: apiScopes(token.scopes),
        oauthClientId: token.clientId,
        // A user's token is as strong as the sign-in it came from; machine tokens have no person to ask.
        twoFactorVerified: token.grantId === null ? data.twoFactorVerified : token.amr.includes('otp'),
      });
    },

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
