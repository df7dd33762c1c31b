import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Knex } from 'knex';
import type { SecretBox } from '../crypto/secret-box.js';

/**
 * Heimdall ID's signing keys: generated on first start, the private half sealed with the platform's
 * encryption key, rotated on command. Exactly one key signs; a rotated-out key stays published (JWKS) until
 * everything it signed has expired (`expires_at`), then `prune` deletes it.
 */
/**
 * Two signing keys are active at a time: ES256 signs the access tokens of the Heimdall API (a P-256 signature
 * costs a third of an RSA-2048 one, and every grant makes one), RS256 signs ID tokens and logout tokens (the
 * algorithm every OpenID relying party must support).
 */
export const ACCESS_TOKEN_ALG = 'ES256';
export const ID_TOKEN_ALG = 'RS256';
export const SIGNING_ALGS = [ACCESS_TOKEN_ALG, ID_TOKEN_ALG] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];

/** The bus channel a rotation is announced on, so every node reloads its keys at once. */
export const SIGNING_KEYS_CHANNEL = 'oidc:signing-keys';

export interface KeySet {
  /** Private JWKs for oidc-provider, the signing key first. */
  privateJwks: JWK[];
  /** Public JWKs by kid (verification of our own access tokens). */
  publicJwks: Map<string, JWK>;
  /** Changes whenever a key is added or removed: nodes compare it to notice a rotation elsewhere. */
  version: string;
}

interface KeyRow {
  kid: string;
  alg: string;
  public_jwk: JWK;
  private_jwk_encrypted: string;
  created_at: Date;
  retired_at: Date | null;
  expires_at: Date | null;
}

async function newKey(box: SecretBox, alg: SigningAlg) {
  const kid = randomUUID();
  const { publicKey, privateKey } = await generateKeyPair(alg, {
    extractable: true,
    ...(alg === 'RS256' ? { modulusLength: 2048 } : {}),
  });
  const meta = { kid, alg, use: 'sig' };
  const publicJwk = { ...(await exportJWK(publicKey)), ...meta };
  const privateJwk = { ...(await exportJWK(privateKey)), ...meta };
  return {
    kid,
    alg,
    public_jwk: publicJwk,
    private_jwk_encrypted: box.seal(JSON.stringify(privateJwk), `oidc-signing-key:${kid}`),
  };
}

export function createSigningKeyStore(deps: {
  db: Knex;
  box: SecretBox;
  /** How long a retired key must stay published: the longest lifetime of anything it signed. */
  retiredKeyLifetimeSeconds: number;
}) {
  const table = () => deps.db<KeyRow>('OidcSigningKey');

  /** Keys still published, the signing one first. */
  const live = () =>
    table()
      .where((q) => q.whereNull('expires_at').orWhere('expires_at', '>', deps.db.fn.now()))
      .orderByRaw('retired_at IS NOT NULL, created_at DESC');
  const rows = () =>
    live().select('kid', 'alg', 'public_jwk', 'private_jwk_encrypted', 'created_at', 'retired_at');
  const fingerprint = (keys: Pick<KeyRow, 'kid' | 'retired_at'>[]) =>
    keys.map((r) => `${r.kid}:${r.retired_at ? 'retired' : 'signing'}`).join(',');

  return {
    /** The current key set; creates missing keys (concurrent first starts agree on one per algorithm). */
    async load(): Promise<KeySet> {
      let current = await rows();
      const missing = SIGNING_ALGS.filter(
        (alg) => !current.some((r) => r.alg === alg && r.retired_at === null),
      );
      if (missing.length > 0) {
        for (const alg of missing) {
          await table()
            .insert((await newKey(deps.box, alg)) as never)
            .onConflict()
            .ignore();
        }
        current = await rows();
      }
      return {
        privateJwks: current.map(
          (r) => JSON.parse(deps.box.open(r.private_jwk_encrypted, `oidc-signing-key:${r.kid}`)) as JWK,
        ),
        publicJwks: new Map(current.map((r) => [r.kid, r.public_jwk])),
        version: fingerprint(current),
      };
    },

    /** Public keys only: verifiers never decrypt private keys. */
    async publicKeys(): Promise<Map<string, JWK>> {
      const current = await rows();
      return new Map(current.map((r) => [r.kid, r.public_jwk]));
    },

    /** A quick fingerprint of the key set (no decryption), compared by nodes to notice rotations. */
    async version(): Promise<string> {
      return fingerprint(await live().select('kid', 'retired_at'));
    },

    /** Retires the signing keys and makes new ones sign from now on; answers the kids of both. */
    async rotate(): Promise<{ retired: string[]; active: string[] }> {
      const fresh = await Promise.all(SIGNING_ALGS.map((alg) => newKey(deps.box, alg)));
      return deps.db.transaction(async (trx) => {
        const retired = await trx<KeyRow>('OidcSigningKey')
          .whereNull('retired_at')
          .update({
            retired_at: trx.fn.now() as never,
            expires_at: trx.raw(`now() + make_interval(secs => ?)`, [
              deps.retiredKeyLifetimeSeconds,
            ]) as never,
          })
          .returning('kid');
        await trx('OidcSigningKey').insert(fresh as never);
        return { retired: retired.map((r) => r.kid), active: fresh.map((k) => k.kid) };
      });
    },

    /** Deletes retired keys nothing valid was signed with any more. */
    async prune(): Promise<number> {
      return table().where('expires_at', '<=', deps.db.fn.now()).delete();
    },
  };
}

export type SigningKeyStore = ReturnType<typeof createSigningKeyStore>;
