import { createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import { ExternalSigningKey } from 'oidc-provider';

/**
 * Heimdall's signing keys as oidc-provider sees them. Given plain private JWKs, oidc-provider signs through
 * jose, which uses WebCrypto: an asynchronous job on libuv's thread pool for every JWT, with the JWK imported
 * and the signature handed back across threads. For ES256 that costs about three times the signature itself
 * (`npm run bench`: CPU µs per client_credentials grant). Through oidc-provider's external-signing hook the same
 * keys sign with node:crypto instead:
 * - ES256 synchronously (about 25 µs, less than the round trip to the thread pool would cost);
 * - RS256 on the thread pool (about 1 ms of CPU per signature, which must not hold up the event loop).
 * The tokens are the same JWS, verified with the same public keys (the JWKS comes from `keyObject()`).
 */
class NodeSigningKey extends ExternalSigningKey {
  readonly #private: KeyObject;
  readonly #public: KeyObject;
  readonly #sync: boolean;

  constructor(jwk: JWK & { kid: string; alg: string }) {
    super();
    // Through the base class's setters (its typings declare only getters).
    Object.assign(this, { kid: jwk.kid, alg: jwk.alg });
    this.#private = createPrivateKey({ key: jwk as never, format: 'jwk' });
    this.#public = createPublicKey(this.#private);
    this.#sync = jwk.alg === 'ES256';
  }

  override keyObject(): KeyObject {
    return this.#public;
  }

  override sign(data: Uint8Array): Promise<Uint8Array> | Uint8Array {
    // JWS wants ECDSA signatures as r ‖ s (IEEE P1363), not DER.
    if (this.#sync) return sign('sha256', data, { key: this.#private, dsaEncoding: 'ieee-p1363' });
    return new Promise((resolve, reject) =>
      sign('sha256', data, this.#private, (err, signature) => (err ? reject(err) : resolve(signature))),
    );
  }
}

/** The algorithms `NodeSigningKey` signs (SHA-256 with ECDSA P-256 or RSASSA-PKCS1-v1_5). */
const SUPPORTED = new Set(['ES256', 'RS256']);

/** oidc-provider's `jwks.keys` for Heimdall's private JWKs (core/tokens/signing-keys.ts). */
export function providerSigningKeys(privateJwks: JWK[]): ExternalSigningKey[] {
  return privateJwks.map((jwk) => {
    if (typeof jwk.kid !== 'string' || typeof jwk.alg !== 'string' || !SUPPORTED.has(jwk.alg))
      throw new Error(`signing key ${String(jwk.kid)}: unsupported algorithm ${String(jwk.alg)}`);
    return new NodeSigningKey(jwk as JWK & { kid: string; alg: string });
  });
}

/** The acknowledgement oidc-provider asks of `features.externalSigningSupport` (an experimental feature). */
export const EXTERNAL_SIGNING_ACK = 'experimental-01';
