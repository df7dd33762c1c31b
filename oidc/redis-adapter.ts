import type { Redis } from 'ioredis';
import type { Knex } from 'knex';
import { errors, type Adapter, type AdapterPayload } from 'oidc-provider';
import { deleteGrants, type GrantsRevoked } from '../core/tokens/grants.js';
import { createPgAdapter } from './adapter.js';

/**
 * oidc-provider's short-lived models in Redis (when `redis.url` is configured), after panva's example
 * adapter (node-oidc-provider example/adapters/redis.js) with the PostgreSQL adapter's semantics:
 *
 * - `<prefix>oidc:<Model>:<id>` is a hash: `payload` (JSON), `grantId`, and `consumed` once consumed; it expires
 *   with the model (TTL = expiresIn). `<prefix>oidc:uid:<Model>:<uid>` and `<prefix>oidc:userCode:<Model>:<code>`
 *   point to the id, with the same TTL.
 * - `<prefix>oidc:grant:<grantId>` is the grant index: the keys of every short-lived entry issued within the
 *   grant (any model), living as long as the longest of them. Revoking the grant deletes them all, and the
 *   model's rows of that grant in PostgreSQL too (written before Redis was configured).
 * - `consume` is one Lua script: of two redemptions of the same code, one wins; the loser is a replay and, as in
 *   adapter.ts, costs the whole grant (PostgreSQL rows and Redis entries) and answers invalid_grant.
 */
export interface RedisAdapterOptions {
  redis: Redis;
  keyPrefix: string;
  /** The grant's long-lived rows (Grant, RefreshToken, AccessToken) live here. */
  db: Knex;
  /** A replayed code revoked its grant (see core/tokens/grants.ts). */
  onGrantsRevoked?: GrantsRevoked | undefined;
}

// KEYS: entry, grant index (or ''), uid index (or ''), user code index (or '').
// ARGV: payload, ttl seconds (0: none), grant id, id.
const UPSERT = `
local ttl = tonumber(ARGV[2])
-- A consumed entry stays consumed when saved again (as consumed_at in PostgreSQL).
if ARGV[3] ~= '' then
  redis.call('HSET', KEYS[1], 'payload', ARGV[1], 'grantId', ARGV[3])
else
  redis.call('HSET', KEYS[1], 'payload', ARGV[1])
  redis.call('HDEL', KEYS[1], 'grantId')
end
if ttl > 0 then redis.call('EXPIRE', KEYS[1], ttl) else redis.call('PERSIST', KEYS[1]) end
for i = 3, 4 do
  if KEYS[i] ~= '' then
    if ttl > 0 then redis.call('SET', KEYS[i], ARGV[4], 'EX', ttl) else redis.call('SET', KEYS[i], ARGV[4]) end
  end
end
if KEYS[2] ~= '' then
  -- The index lives as long as its longest entry: -2 (new) takes this TTL, -1 (an entry without one) stays.
  local current = redis.call('TTL', KEYS[2])
  redis.call('SADD', KEYS[2], KEYS[1])
  if ttl <= 0 then
    redis.call('PERSIST', KEYS[2])
  elseif current == -2 or (current >= 0 and current < ttl) then
    redis.call('EXPIRE', KEYS[2], ttl)
  end
end
return 1`;

// KEYS: entry. ARGV: now (epoch seconds). Answers 'won', 'missing', or 'replay:<grantId>'.
const CONSUME = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 'missing' end
if redis.call('HSETNX', KEYS[1], 'consumed', ARGV[1]) == 1 then return 'won' end
return 'replay:' .. (redis.call('HGET', KEYS[1], 'grantId') or '')`;

// KEYS: grant index. Deletes every entry it names, then itself.
const REVOKE_GRANT = `
local members = redis.call('SMEMBERS', KEYS[1])
for _, key in ipairs(members) do redis.call('DEL', key) end
redis.call('DEL', KEYS[1])
return #members`;

type Scripted = Redis & {
  oidcUpsert(k1: string, k2: string, k3: string, k4: string, ...args: (string | number)[]): Promise<number>;
  oidcConsume(key: string, now: number): Promise<string>;
  oidcRevokeGrant(key: string): Promise<number>;
};

function scripted(redis: Redis): Scripted {
  const r = redis as Scripted;
  if (typeof r.oidcUpsert !== 'function') {
    redis.defineCommand('oidcUpsert', { numberOfKeys: 4, lua: UPSERT });
    redis.defineCommand('oidcConsume', { numberOfKeys: 1, lua: CONSUME });
    redis.defineCommand('oidcRevokeGrant', { numberOfKeys: 1, lua: REVOKE_GRANT });
  }
  return r;
}

/** Deletes a grant's short-lived entries in Redis (every model). */
export async function revokeRedisGrant(redis: Redis, keyPrefix: string, grantId: string): Promise<void> {
  await scripted(redis).oidcRevokeGrant(`${keyPrefix}oidc:grant:${grantId}`);
}

export function createRedisAdapter(options: RedisAdapterOptions, model: string): Adapter {
  const { keyPrefix, db } = options;
  const redis = scripted(options.redis);
  const pg = createPgAdapter(db, model);
  const key = (id: string) => `${keyPrefix}oidc:${model}:${id}`;
  const uidKey = (uid: string) => `${keyPrefix}oidc:uid:${model}:${uid}`;
  const userCodeKey = (code: string) => `${keyPrefix}oidc:userCode:${model}:${code}`;
  const grantKey = (grantId: string) => `${keyPrefix}oidc:grant:${grantId}`;

  const find = async (id: string): Promise<AdapterPayload | undefined> => {
    const entry = await redis.hmget(key(id), 'payload', 'consumed');
    if (!entry[0]) return undefined;
    const payload = JSON.parse(entry[0]) as AdapterPayload;
    return entry[1] ? { ...payload, consumed: true } : payload;
  };
  const findVia = async (indexKey: string, check: (payload: AdapterPayload) => boolean) => {
    const id = await redis.get(indexKey);
    if (!id) return undefined;
    const payload = await find(id);
    // An index left by an earlier version of the entry must not answer for it.
    return payload && check(payload) ? payload : undefined;
  };

  return {
    async upsert(id, payload, expiresIn) {
      await redis.oidcUpsert(
        key(id),
        payload.grantId ? grantKey(payload.grantId) : '',
        payload.uid ? uidKey(payload.uid) : '',
        payload.userCode ? userCodeKey(payload.userCode) : '',
        JSON.stringify(payload),
        expiresIn && expiresIn > 0 ? Math.ceil(expiresIn) : 0,
        payload.grantId ?? '',
        id,
      );
    },
    find,
    findByUid: (uid) => findVia(uidKey(uid), (p) => p.uid === uid),
    findByUserCode: (userCode) => findVia(userCodeKey(userCode), (p) => p.userCode === userCode),
    async consume(id) {
      const outcome = await redis.oidcConsume(key(id), Math.floor(Date.now() / 1000));
      if (outcome === 'won') return;
      if (outcome.startsWith('replay:')) {
        const grantId = outcome.slice('replay:'.length);
        if (grantId) {
          // The code or token names whose grant it was: only that user's open connections need to check again.
          const payload = await redis.hget(key(id), 'payload');
          const accountId = payload ? (JSON.parse(payload) as AdapterPayload).accountId : undefined;
          await deleteGrants(db, [grantId], options.onGrantsRevoked, accountId ?? null);
          await revokeRedisGrant(redis, keyPrefix, grantId);
        }
      }
      throw new errors.InvalidGrant('grant request is invalid');
    },
    async destroy(id) {
      await redis.del(key(id));
    },
    async revokeByGrantId(grantId) {
      await Promise.all([revokeRedisGrant(redis, keyPrefix, grantId), pg.revokeByGrantId!(grantId)]);
    },
  };
}
