import {
  createPrivateKey,
  createPublicKey,
  sign,
  type KeyObject,
  type SignKeyObjectInput,
} from 'node:crypto';
import type { JWK } from 'jose';
import { ExternalSigningKey } from 'oidc-provider';

/**
 * Heimdall's signing keys as oidc-provider sees them. Given plain private JWKs, oidc-provider signs through
 * jose, which uses WebCrypto: a job on libuv's thread pool for every JWT, with the JWK imported each time and
 * the signature handed back through WebCrypto's layers. Through oidc-provider's external-signing hook the same
 * keys sign with node:crypto instead, with key objects made once, also on the thread pool: the event loop only
 * hands the job over and takes the signature back. ES256 is signed on the thread pool too, though it is cheap:
 * on the event loop its signatures made the loop the bottleneck of client_credentials grants (figures in
 * docs/performance.md). RS256 is slow enough that it never ran on the loop. The tokens are the same JWS,
 * verified with the same public keys (the JWKS comes from `keyObject()`).
 */
class NodeSigningKey extends ExternalSigningKey {
  readonly #public: KeyObject;
  readonly #key: KeyObject | SignKeyObjectInput;

  constructor(jwk: JWK & { kid: string; alg: string }) {
    super();
    // Through the base class's setters (its typings declare only getters).
    Object.assign(this, { kid: jwk.kid, alg: jwk.alg });
    const key = createPrivateKey({ key: jwk as never, format: 'jwk' });
    this.#public = createPublicKey(key);
    // JWS wants ECDSA signatures as r ‖ s (IEEE P1363), not DER.
    this.#key = jwk.alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key;
  }

  override keyObject(): KeyObject {
    return this.#public;
  }

  override sign(data: Uint8Array): Promise<Uint8Array> {
    return new Promise((resolve, reject) =>
      sign('sha256', data, this.#key, (err, signature) => (err ? reject(err) : resolve(signature))),
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
