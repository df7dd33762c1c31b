import { errors as joseErrors, importJWK, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';

type VerifyKey = Awaited<ReturnType<typeof importJWK>>;
import type { Knex } from 'knex';
import { AppError } from '../errors/index.js';
import { grantAlive } from './grants.js';
import { ACCESS_TOKEN_ALG } from './signing-keys.js';

/**
 * Verifies Heimdall ID access tokens for the Heimdall API (RFC 9068 JWTs): signature by one of our published
 * keys, `typ: at+jwt`, issuer, the API as audience, expiry; then revocation: a token issued within a grant
 * (`gid`) dies with its grant, which logout, refresh-token reuse, revoking the refresh token and revoking a
 * connected app all delete. Client-credentials tokens have no grant and live for their short TTL.
 */
export interface VerifiedAccessToken {
  /** The user id, or the client_id for a client-credentials token. */
  sub: string;
  clientId: string;
  scopes: string[];
  grantId: string | null;
  /** How the user signed in (`pwd`, `otp`), as the sign-in recorded it. */
  amr: string[];
  expiresAt: number;
}

const invalid = (message = 'The access token is not valid.') =>
  new AppError('auth.invalid_token', 401, message);

/** Unknown kids trigger at most one reload of the published keys per this interval. */
const KEY_RELOAD_MS = 5_000;

export function createAccessTokenVerifier(deps: {
  db: Knex;
  issuer: string;
  audience: string;
  publicKeys: () => Promise<Map<string, Record<string, unknown>>>;
  /** Keys are re-read at least this often, so a retired key past its lifetime stops verifying. */
  maxKeyAgeMs: number;
}) {
  let keys: Map<string, VerifyKey> | undefined;
  let lastMiss = 0;
  let loadedAt = 0;
  let loading: Promise<void> | undefined;

  const reload = () =>
    (loading ??= (async () => {
      try {
        const jwks = await deps.publicKeys();
        const imported = new Map<string, VerifyKey>();
        for (const [kid, jwk] of jwks) {
          if (jwk.alg === ACCESS_TOKEN_ALG) imported.set(kid, await importJWK(jwk, ACCESS_TOKEN_ALG));
        }
        keys = imported;
        loadedAt = Date.now();
      } finally {
        loading = undefined;
      }
    })());

  const getKey: JWTVerifyGetKey = async (header) => {
    const kid = header.kid;
    if (!kid) throw invalid();
    if (!keys || Date.now() - loadedAt > deps.maxKeyAgeMs) await reload();
    if (!keys!.has(kid) && Date.now() - lastMiss > KEY_RELOAD_MS) {
      // A key we have not seen: another node may have rotated. Look once, not on every bad token.
      lastMiss = Date.now();
      await reload();
    }
    const key = keys!.get(kid);
    if (!key) throw invalid();
    return key;
  };

  return {
    async verify(token: string): Promise<VerifiedAccessToken> {
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, getKey, {
          issuer: deps.issuer,
          audience: deps.audience,
          typ: 'at+jwt',
          algorithms: [ACCESS_TOKEN_ALG],
          requiredClaims: ['sub', 'exp', 'client_id'],
        }));
      } catch (err) {
        if (err instanceof AppError) throw err;
        if (err instanceof joseErrors.JWTExpired) {
          throw new AppError('auth.token_expired', 401, 'The access token has expired.');
        }
        if (err instanceof joseErrors.JWTClaimValidationFailed && err.claim === 'aud') {
          throw invalid('The access token was not issued for this API (wrong audience).');
        }
        throw invalid();
      }
      const grantId = typeof payload.gid === 'string' ? payload.gid : null;
      if (grantId && !(await grantAlive(deps.db, grantId))) {
        throw new AppError('auth.token_revoked', 401, 'The access token has been revoked.');
      }
      return {
        sub: payload.sub!,
        clientId: String(payload.client_id),
        scopes: typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [],
        grantId,
        amr: Array.isArray(payload.amr) ? payload.amr.filter((v): v is string => typeof v === 'string') : [],
        expiresAt: payload.exp!,
      };
    },
  };
}

export type AccessTokenVerifier = ReturnType<typeof createAccessTokenVerifier>;

/**
 * What an access token's scopes allow on the API: `api` is everything the user may do; `resource:action` scopes
 * narrow it to those permissions; identity scopes (openid, profile…) allow only what needs no permission (`me`).
 */
export function apiScopes(tokenScopes: readonly string[]): string[] {
  if (tokenScopes.includes('api')) return ['*'];
  return tokenScopes.filter((s) => s.includes(':'));
}
