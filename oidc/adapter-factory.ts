import type { Redis } from 'ioredis';
import type { Knex } from 'knex';
import type { Adapter } from 'oidc-provider';
import { createPgAdapter } from './adapter.js';
import { createRedisAdapter } from './redis-adapter.js';
import type { GrantsRevoked } from '../core/tokens/grants.js';

/**
 * The models whose lifetime is minutes (sign-in interactions, codes, pushed requests, replay markers): in Redis
 * when it is configured. Sessions (tied to Heimdall sessions), grants, refresh and access tokens, client
 * credentials and registration tokens are long-lived and stay in PostgreSQL either way.
 */
export const SHORT_LIVED_MODELS: ReadonlySet<string> = new Set([
  'Interaction',
  'AuthorizationCode',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PushedAuthorizationRequest',
  'ReplayDetection',
  'PreAuthorizedCode',
]);

/** Where each oidc-provider model is stored: one adapter per model, made on first use. */
export function createAdapterFactory(deps: {
  db: Knex;
  redis?: { client: Redis; keyPrefix: string } | undefined;
  /** A replayed code or refresh token revoked its grant. */
  onGrantsRevoked?: GrantsRevoked | undefined;
}): (model: string) => Adapter {
  const adapters = new Map<string, Adapter>();
  const { db, redis } = deps;
  return (model) => {
    let adapter = adapters.get(model);
    if (!adapter) {
      adapter =
        redis && SHORT_LIVED_MODELS.has(model)
          ? createRedisAdapter(
              { redis: redis.client, keyPrefix: redis.keyPrefix, db, onGrantsRevoked: deps.onGrantsRevoked },
              model,
            )
          : createPgAdapter(db, model, deps.onGrantsRevoked);
      adapters.set(model, adapter);
    }
    return adapter;
  };
}
